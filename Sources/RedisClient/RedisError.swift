/// The one error type of `RedisClient`. Its description never contains a password.
public struct RedisError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Could not connect, or the socket failed (reset, EOF, I/O error).
        case connection
        /// Connect or command timeout expired.
        case timeout
        /// The server answered with an error reply (`-ERR …`, `WRONGPASS …`, …).
        case server
        /// The reply could not be parsed, or was not of the expected shape.
        case protocolError
        /// The caller passed something unusable (bad URL, command after SUBSCRIBE, …).
        case invalidArgument
        /// The connection was closed (by `close()` or after an earlier fatal error).
        case closed
    }

    public let kind: Kind
    public let message: String

    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    /// Server error prefixes that describe a transient condition on the server side.
    static let retriableServerPrefixes = ["LOADING", "BUSY", "TRYAGAIN", "MASTERDOWN"]

    /// True when the same command may succeed if tried again later (on a new connection for
    /// `.connection`, `.timeout` and `.closed`).
    public var isRetriable: Bool {
        switch kind {
        case .connection, .timeout, .closed:
            return true
        case .server:
            return Self.retriableServerPrefixes.contains { message.hasPrefix($0) }
        case .protocolError, .invalidArgument:
            return false
        }
    }

    public var description: String { "RedisError.\(kind): \(message)" }
}
