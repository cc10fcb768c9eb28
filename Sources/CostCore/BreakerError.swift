/// A breaker scope or a stored breaker state could not be read. `message` says what was wrong
/// and what a valid value looks like; it quotes the offending input (shortened, control
/// characters escaped) and never contains secrets.
public struct BreakerError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
