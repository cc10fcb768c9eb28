/// The one error type of the AMQP client.
///
/// `message` and `description` never contain a password or a full connection URL:
/// they name the host, port, user, vhost and the broker's reply text at most.
public struct AMQPError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Could not reach the broker (TCP/TLS connect, DNS, handshake).
        case connection
        /// The broker refused the user name or password.
        case authentication
        /// The broker refused an operation or a vhost (reply code 403 or 530).
        case accessRefused
        /// A queue or exchange does not exist (reply code 404).
        case notFound
        /// A declare conflicts with what exists, or an argument was refused (reply code 406).
        case preconditionFailed
        /// The broker closed the channel for another reason; reconnect.
        case channelClosed
        /// The connection was closed or lost (socket error, heartbeat timeout, 320 forced).
        case connectionClosed
        /// An operation did not finish in time.
        case timeout
        /// The broker or library saw data it did not expect.
        case protocolError
        /// The caller passed something unusable (bad URL, bad TLS file, closed connection).
        case invalidArgument
        /// The broker negatively acknowledged one or more published messages.
        case nacked
    }

    public let kind: Kind
    public let message: String
    /// The AMQP reply code when the broker closed a channel or the connection.
    public let replyCode: Int?

    public init(kind: Kind, message: String, replyCode: Int? = nil) {
        self.kind = kind
        self.message = message
        self.replyCode = replyCode
    }

    /// Whether trying again (usually on a new connection) can succeed.
    public var isRetriable: Bool {
        switch kind {
        case .connection, .timeout, .connectionClosed, .channelClosed, .nacked:
            return true
        case .authentication, .accessRefused, .notFound, .preconditionFailed, .invalidArgument, .protocolError:
            return false
        }
    }

    public var description: String {
        var text = "AMQP \(kind): \(message)"
        if let replyCode { text += " (reply code \(replyCode))" }
        return text
    }
}
