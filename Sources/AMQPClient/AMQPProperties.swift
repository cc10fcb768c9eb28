/// The basic properties of a message that this client reads and writes.
public struct AMQPProperties: Sendable, Equatable {
    public var contentType: String?
    public var messageID: String?
    public var correlationID: String?
    public var type: String?
    public var appID: String?
    /// `delivery_mode` 2 when true, 1 when false.
    public var persistent: Bool
    /// Seconds since the Unix epoch, as AMQP defines it.
    public var timestamp: UInt64?
    public var headers: [String: AMQPFieldValue]

    public init(
        contentType: String? = nil,
        messageID: String? = nil,
        correlationID: String? = nil,
        type: String? = nil,
        appID: String? = nil,
        persistent: Bool = true,
        timestamp: UInt64? = nil,
        headers: [String: AMQPFieldValue] = [:]
    ) {
        self.contentType = contentType
        self.messageID = messageID
        self.correlationID = correlationID
        self.type = type
        self.appID = appID
        self.persistent = persistent
        self.timestamp = timestamp
        self.headers = headers
    }
}
