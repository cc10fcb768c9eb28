import AMQPClient
import Foundation
import Testing

/// A quorum work queue `it.<random>` and its dead-letter queue `it.<random>.dlq` (bound to
/// `cost.dlx` with routing key `it.<random>`), for one test; `delete()` removes both.
final class ScratchQueues {
    let queue: String
    let deadLetterQueue: String
    /// The routing key the worker dead-letters with (`--dead-letter-key`).
    var deadLetterKey: String { queue }
    private let admin: AMQPConnection
    private var publisher: AMQPConnection?

    init() throws {
        let suffix = IntegrationEnvironment.uniqueSuffix()
        queue = "it.\(suffix)"
        deadLetterQueue = "it.\(suffix).dlq"
        admin = try AMQPConnection(config: try Self.adminConfig())
        try admin.declareExchange("cost.dlx", type: "direct", durable: true)
        try admin.declareQueue(queue, arguments: ["x-queue-type": .string("quorum")])
        try admin.declareQueue(deadLetterQueue, arguments: ["x-queue-type": .string("quorum")])
        try admin.bindQueue(deadLetterQueue, exchange: "cost.dlx", routingKey: queue)
    }

    /// The admin URL without heartbeats: the harness leaves its connections idle while it
    /// polls PostgreSQL, and the broker must not drop them meanwhile.
    static func adminConfig() throws -> AMQPConfig {
        var config = try AMQPConfig(url: try IntegrationEnvironment.adminAMQPURL())
        config.heartbeatSeconds = 0
        return config
    }

    func delete() {
        publisher?.close()
        publisher = nil
        let connection = admin.isOpen ? admin : try? AMQPConnection(config: Self.adminConfig())
        try? connection?.deleteQueue(queue)
        try? connection?.deleteQueue(deadLetterQueue)
        connection?.close()
        admin.close()
    }

    /// Publishes every message straight to the work queue (default exchange) as a
    /// persistent message with `message_id` = its key, and waits for the broker's confirms.
    func publish(_ messages: [(key: String, body: [UInt8])], to target: String? = nil) throws {
        let connection = try publishingConnection()
        for (index, message) in messages.enumerated() {
            try connection.publish(
                exchange: "", routingKey: target ?? queue, body: message.body,
                properties: AMQPProperties(contentType: "application/json", messageID: message.key, persistent: true))
            if index % 500 == 499 { try connection.waitForConfirms(timeout: .seconds(30)) }
        }
        try connection.waitForConfirms(timeout: .seconds(30))
    }

    /// Republishes a message with its properties (minus the dead-letter headers) to the work queue.
    func republish(body: [UInt8], properties: AMQPProperties) throws {
        var clean = properties
        for name in clean.headers.keys where name.hasPrefix("x-cost-") { clean.headers[name] = nil }
        let connection = try publishingConnection()
        try connection.publish(exchange: "", routingKey: queue, body: body, properties: clean)
        try connection.waitForConfirms(timeout: .seconds(30))
    }

    private func publishingConnection() throws -> AMQPConnection {
        if let c = publisher, c.isOpen { return c }
        let c = try AMQPConnection(config: try Self.adminConfig())
        try c.enableConfirms()
        publisher = c
        return c
    }

    /// Ready messages (not counting those a consumer holds unacked).
    func readyCount(_ name: String) throws -> Int {
        Int(try admin.declareQueue(name, passive: true).messageCount)
    }

    func consumerCount(_ name: String) throws -> Int {
        Int(try admin.declareQueue(name, passive: true).consumerCount)
    }

    /// "<n> dead-lettered; first: field [rule] reason …", for failure messages.
    func deadLetterSummary() -> String {
        guard let count = try? readyCount(deadLetterQueue) else { return "dead-letter queue unreadable" }
        var lines = ["\(count) message(s) in \(deadLetterQueue)"]
        var lastTag: UInt64 = 0
        while lines.count <= 3, let d = try? admin.get(queue: deadLetterQueue) {
            lastTag = d.deliveryTag
            lines.append("  \(d.properties.messageID ?? "-"): \(d.stringHeader("x-cost-reject-field") ?? "?") "
                         + "[\(d.stringHeader("x-cost-reject-rule") ?? "?")] \(d.stringHeader("x-cost-reject-reason") ?? "")")
        }
        if lastTag > 0 { try? admin.nack(lastTag, multiple: true, requeue: true) }
        return lines.joined(separator: "\n")
    }

    /// Takes every message off `name` (acking them).
    func drain(_ name: String) throws -> [AMQPDelivery] {
        var all: [AMQPDelivery] = []
        while let d = try admin.get(queue: name) {
            all.append(d)
            try admin.ack(d.deliveryTag)
        }
        return all
    }
}

extension AMQPDelivery {
    /// A string header, nil when absent or of another type.
    func stringHeader(_ name: String) -> String? {
        if case .string(let s) = properties.headers[name] { return s }
        return nil
    }
}
