/// The one error type of `PostgresClient`. Its message never contains the conninfo or a
/// password.
public struct PGError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Could not connect, or the connection broke during a call.
        case connection
        /// The server rejected a statement (see `sqlState`).
        case query
        /// A COPY failed to start, to send, or was rejected by the server.
        case copy
        /// libpq or the server answered something this client does not expect.
        case protocolError
        /// The caller passed something unusable (e.g. a NUL byte in a text parameter).
        case invalidArgument
    }

    public let kind: Kind
    /// The five-character SQLSTATE, e.g. "23505" for a unique violation.
    public let sqlState: String?
    /// The primary message, plus detail and hint when the server sent them.
    public let message: String

    public init(kind: Kind, sqlState: String? = nil, message: String) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
    }

    /// True for failures that may succeed when tried again (on a new connection for
    /// `.connection`): connection exceptions (08), insufficient resources (53), admin/crash
    /// shutdown and cannot-connect-now (57P01–57P03), serialization failure (40001) and
    /// deadlock (40P01).
    public var isRetriable: Bool {
        if kind == .connection { return true }
        guard let state = sqlState else { return false }
        if state.hasPrefix("08") || state.hasPrefix("53") { return true }
        return ["57P01", "57P02", "57P03", "40001", "40P01"].contains(state)
    }

    public var description: String {
        if let sqlState { return "PGError.\(kind) [\(sqlState)]: \(message)" }
        return "PGError.\(kind): \(message)"
    }
}
