import AMQPClient

/// The AMQP names of contract v1 and the project's own (documented in the README), and the
/// idempotent declarations each worker makes at start. They match
/// ops/rabbitmq/definitions.json exactly: a declaration with other arguments would be
/// refused by the broker (406).
public enum Topology {
    public static let usageExchange = "cost.usage"
    public static let usageBinding = "usage.#"
    public static let deadLetterExchange = "cost.dlx"
    public static let controlExchange = "cost.control"
    public static let signalsExchange = "cost.signals"
    public static let alertsExchange = "cost.alerts"
    /// Redeliveries after which the broker itself dead-letters a message that keeps
    /// killing workers (a poison message), so it cannot block the queue forever.
    public static let deliveryLimit: Int64 = 50

    public static func queue(for kind: String) -> String { "cost.usage.\(kind)" }
    public static func deadLetterQueue(for kind: String) -> String { "cost.dlq.\(kind)" }

    public static func usageQueueArguments(kind: String) -> [String: AMQPFieldValue] {
        ["x-queue-type": .string("quorum"),
         "x-dead-letter-exchange": .string(deadLetterExchange),
         "x-dead-letter-routing-key": .string(kind),
         "x-delivery-limit": .int(deliveryLimit)]
    }

    /// Declares what a usage-consuming worker of `kind` needs: the usage exchange, its
    /// quorum queue bound `usage.#`, the dead-letter exchange and its dead-letter queue, and
    /// the alerts and signals exchanges.
    public static func declareUsageConsumer(kind: String, on amqp: AMQPConnection) throws(AMQPError) {
        try amqp.declareExchange(usageExchange, type: "topic")
        try amqp.declareExchange(deadLetterExchange, type: "direct")
        try amqp.declareExchange(alertsExchange, type: "topic")
        try amqp.declareExchange(signalsExchange, type: "topic")
        try amqp.declareQueue(queue(for: kind), arguments: usageQueueArguments(kind: kind))
        try amqp.bindQueue(queue(for: kind), exchange: usageExchange, routingKey: usageBinding)
        try amqp.declareQueue(deadLetterQueue(for: kind), arguments: ["x-queue-type": .string("quorum")])
        try amqp.bindQueue(deadLetterQueue(for: kind), exchange: deadLetterExchange, routingKey: kind)
    }
}
