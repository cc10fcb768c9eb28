/// TLS settings for an `amqps://` connection.
///
/// Paths are PEM files. With `verifyPeer` the broker's certificate must chain to
/// `caCertificatePath`; with `verifyHostname` its name must match `AMQPConfig.host`.
public struct AMQPTLSConfig: Sendable, Equatable {
    public var caCertificatePath: String?
    public var clientCertificatePath: String?
    public var clientKeyPath: String?
    public var verifyPeer: Bool
    public var verifyHostname: Bool

    public init(
        caCertificatePath: String? = nil,
        clientCertificatePath: String? = nil,
        clientKeyPath: String? = nil,
        verifyPeer: Bool = true,
        verifyHostname: Bool = true
    ) {
        self.caCertificatePath = caCertificatePath
        self.clientCertificatePath = clientCertificatePath
        self.clientKeyPath = clientKeyPath
        self.verifyPeer = verifyPeer
        self.verifyHostname = verifyHostname
    }
}
