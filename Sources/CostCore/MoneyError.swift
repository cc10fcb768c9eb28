/// A money or price value could not be parsed or computed. `message` says what was wrong
/// and what a valid value looks like.
public struct MoneyError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
