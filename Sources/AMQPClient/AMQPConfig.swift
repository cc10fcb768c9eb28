/// Where and how to connect to RabbitMQ. Built once (usually from a URL in the
/// environment) and passed to `AMQPConnection`.
public struct AMQPConfig: Sendable, Equatable {
    /// Default `127.0.0.1`.
    public var host: String
    /// Default 5672, or 5671 for `amqps://`.
    public var port: Int
    public var user: String
    public var password: String
    /// Default `/`.
    public var vhost: String
    /// Heartbeat interval proposed to the broker; 0 disables heartbeats. Default 30.
    public var heartbeatSeconds: Int
    /// Largest frame proposed to the broker. Default 131072.
    public var frameMax: Int
    /// Bound for the TCP/TLS connect and for the login handshake. Default 5 s.
    public var connectTimeout: Duration
    /// `nil` for plain TCP.
    public var tls: AMQPTLSConfig?

    public init(
        host: String = "127.0.0.1",
        port: Int? = nil,
        user: String = "guest",
        password: String = "guest",
        vhost: String = "/",
        heartbeatSeconds: Int = 30,
        frameMax: Int = 131_072,
        connectTimeout: Duration = .seconds(5),
        tls: AMQPTLSConfig? = nil
    ) {
        self.host = host
        self.port = port ?? (tls == nil ? 5672 : 5671)
        self.user = user
        self.password = password
        self.vhost = vhost
        self.heartbeatSeconds = heartbeatSeconds
        self.frameMax = frameMax
        self.connectTimeout = connectTimeout
        self.tls = tls
    }

    /// The connection URL with the password replaced by `***`, safe to log:
    /// `amqp://worker:***@127.0.0.1:5682/costtracker`.
    public var redactedURL: String {
        let scheme = tls == nil ? "amqp" : "amqps"
        let hostPart = host.contains(":") ? "[\(host)]" : host
        let userPart = AMQPURLParser.percentEncode(user)
        let vhostPart = AMQPURLParser.percentEncode(vhost)
        return "\(scheme)://\(userPart):***@\(hostPart):\(port)/\(vhostPart)"
    }
}

extension AMQPConfig: CustomStringConvertible {
    /// Same as `redactedURL`: printing a config never shows the password.
    public var description: String { redactedURL }
}
