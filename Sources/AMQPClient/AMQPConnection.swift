import CRabbitMQ
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One connection to RabbitMQ with one channel (channel 1), over rabbitmq-c.
///
/// Not thread-safe: rabbitmq-c handles are not, so one thread (or serial executor) owns a
/// connection for its whole life. Every call blocks that thread.
///
/// A connection with confirms on does not consume (and a consuming one does not enable
/// confirms; both throw `.invalidArgument`): confirm frames and deliveries share the channel,
/// and `nextDelivery` / `waitForConfirms` each expect only their own kind. Use two
/// connections for a worker that does both. Publishing without confirms while consuming is fine.
///
/// Heartbeats are sent and checked only while the owner calls into the connection: a
/// consumer should call `nextDelivery` and an idle publisher `pollConfirms` at least once
/// per heartbeat interval, or the broker drops the connection (the next call then throws
/// a retriable error).
///
/// After the broker closes the channel or the connection (an error with a reply code),
/// `isOpen` is false and every call throws `.connectionClosed`: open a new connection.
public final class AMQPConnection {
    /// The only channel this client opens.
    static let channel: amqp_channel_t = 1

    /// rabbitmq-c's connection; nil once closed.
    var state: amqp_connection_state_t?
    /// The socket is up and the AMQP connection is not closed by either side.
    var connectionAlive = false
    var channelOpen = false
    var confirmsEnabled = false
    var consuming = false
    var confirms = ConfirmTracker()
    /// C memory for arguments of the call in progress; recycled after each call.
    let scratch = AMQPScratchPool()
    /// "host:port" for error messages (no user, no password).
    let endpoint: String
    let user: String
    let vhost: String

    /// Messages the broker returned as unroutable (only for `mandatory` publishes).
    public internal(set) var returnedCount = 0

    /// Connects (TCP or TLS), logs in and opens channel 1, each bounded by `connectTimeout`.
    public init(config: AMQPConfig) throws(AMQPError) {
        endpoint = config.host.contains(":") ? "[\(config.host)]:\(config.port)" : "\(config.host):\(config.port)"
        user = config.user
        vhost = config.vhost
        guard (1...65_535).contains(config.port) else {
            throw AMQPError(kind: .invalidArgument, message: "port \(config.port) is not 1…65535")
        }
        guard (0...65_535).contains(config.heartbeatSeconds), config.frameMax >= 4096, config.frameMax <= Int(Int32.max) else {
            throw AMQPError(kind: .invalidArgument, message: "heartbeat must be 0…65535 s and frameMax at least 4096")
        }
        guard let state = amqp_new_connection() else {
            throw AMQPError(kind: .connection, message: "rabbitmq-c could not allocate a connection")
        }
        self.state = state
        // On a throw below, deinit runs and releases `state`.
        try openSocket(state, config: config)
        try login(state, config: config)
        amqp_channel_open(state, Self.channel)
        try check(amqp_get_rpc_reply(state), "opening channel \(Self.channel)")
        channelOpen = true
    }

    deinit {
        close()
    }

    /// True while the connection and its channel can be used.
    public var isOpen: Bool { state != nil && connectionAlive && channelOpen }

    /// Closes the channel and the connection politely (bounded by 2 s) and frees the handle.
    /// Idempotent.
    public func close() {
        guard let state else { return }
        if connectionAlive {
            var bound = timeval(Duration.seconds(2))
            amqp_set_rpc_timeout(state, &bound)
            if channelOpen {
                _ = amqp_channel_close(state, Self.channel, Int32(AMQP_REPLY_SUCCESS))
            }
            _ = amqp_connection_close(state, Int32(AMQP_REPLY_SUCCESS))
        }
        amqp_destroy_connection(state)
        self.state = nil
        connectionAlive = false
        channelOpen = false
    }

    private func openSocket(_ state: amqp_connection_state_t, config: AMQPConfig) throws(AMQPError) {
        let socket: OpaquePointer?
        if let tls = config.tls {
            socket = amqp_ssl_socket_new(state)
            guard let socket else {
                throw AMQPError(kind: .connection, message: "rabbitmq-c could not create a TLS socket")
            }
            try configure(socket, tls: tls)
        } else {
            socket = amqp_tcp_socket_new(state)
        }
        guard let socket else {
            throw AMQPError(kind: .connection, message: "rabbitmq-c could not create a TCP socket")
        }
        var timeout = timeval(config.connectTimeout)
        let status = config.host.withCString { amqp_socket_open_noblock(socket, $0, Int32(config.port), &timeout) }
        guard status == AMQP_STATUS_OK.rawValue else {
            let transport = config.tls == nil ? "TCP" : "TLS"
            let kind: AMQPError.Kind = status == AMQP_STATUS_TIMEOUT.rawValue ? .timeout : .connection
            throw AMQPError(kind: kind, message: "cannot open a \(transport) connection to \(endpoint): \(Self.statusText(status))")
        }
        connectionAlive = true
        amqp_set_handshake_timeout(state, &timeout)
        var rpcTimeout = timeval(Duration.seconds(30))
        amqp_set_rpc_timeout(state, &rpcTimeout)
    }

    private func configure(_ socket: OpaquePointer, tls: AMQPTLSConfig) throws(AMQPError) {
        if let path = tls.caCertificatePath {
            let status = path.withCString { amqp_ssl_socket_set_cacert(socket, $0) }
            guard status == AMQP_STATUS_OK.rawValue else {
                throw AMQPError(kind: .invalidArgument, message: "cannot load the CA certificate \(path): \(Self.statusText(status))")
            }
        }
        switch (tls.clientCertificatePath, tls.clientKeyPath) {
        case (nil, nil):
            break
        case (let cert?, let key?):
            let status = cert.withCString { c in key.withCString { k in amqp_ssl_socket_set_key(socket, c, k) } }
            guard status == AMQP_STATUS_OK.rawValue else {
                throw AMQPError(kind: .invalidArgument, message: "cannot load the client certificate \(cert) or key \(key): \(Self.statusText(status))")
            }
        default:
            throw AMQPError(kind: .invalidArgument, message: "a client certificate needs both clientCertificatePath and clientKeyPath")
        }
        amqp_ssl_socket_set_verify_peer(socket, tls.verifyPeer ? 1 : 0)
        amqp_ssl_socket_set_verify_hostname(socket, tls.verifyHostname ? 1 : 0)
    }

    private func login(_ state: amqp_connection_state_t, config: AMQPConfig) throws(AMQPError) {
        let reply = config.vhost.withCString { vhost in
            config.user.withCString { user in
                config.password.withCString { password in
                    cost_amqp_login_plain(state, vhost, 0, Int32(config.frameMax), Int32(config.heartbeatSeconds), user, password)
                }
            }
        }
        if reply.reply_type == AMQP_RESPONSE_NORMAL { return }
        let error = replyError(reply, "logging in to \(endpoint) as user '\(user)' on vhost '\(vhost)'")
        if error.replyCode == Int(AMQP_ACCESS_REFUSED) {
            throw AMQPError(
                kind: .authentication,
                message: "the broker at \(endpoint) refused the login of user '\(user)' (wrong user name or password)",
                replyCode: error.replyCode)
        }
        throw error
    }
}

extension timeval {
    /// A non-negative `timeval` from a `Duration` (negative durations become zero).
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        if seconds < 0 || (seconds == 0 && attoseconds < 0) {
            self.init(tv_sec: 0, tv_usec: 0)
        } else {
            self.init(tv_sec: .init(seconds), tv_usec: .init(attoseconds / 1_000_000_000_000))
        }
    }
}
