/// A risk state that could not be decoded (truncated, wrong format or version, bad value).
public struct RiskStateError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { "risk state: " + message }
}
