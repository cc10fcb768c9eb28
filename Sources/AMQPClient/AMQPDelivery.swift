/// A message received with `nextDelivery` or `get`. Everything is copied out of
/// rabbitmq-c's buffers, so it stays valid after the library reuses them.
public struct AMQPDelivery: Sendable {
    public let deliveryTag: UInt64
    public let redelivered: Bool
    public let exchange: String
    public let routingKey: String
    public let body: [UInt8]
    public let properties: AMQPProperties

    public init(
        deliveryTag: UInt64, redelivered: Bool, exchange: String, routingKey: String,
        body: [UInt8], properties: AMQPProperties
    ) {
        self.deliveryTag = deliveryTag
        self.redelivered = redelivered
        self.exchange = exchange
        self.routingKey = routingKey
        self.body = body
        self.properties = properties
    }
}
