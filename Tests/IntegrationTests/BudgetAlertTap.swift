import AMQPClient
import CostCore
import Foundation
import Testing

/// A queue of the test's own bound to `cost.alerts` (`alert.#`) and `cost.signals`
/// (`breaker.#`): what a notifier and a breaker worker would receive. Other runs publish
/// there too, so readers filter on the subjects they created.
final class BudgetAlertTap {
    struct Message {
        let exchange: String
        let routingKey: String
        let body: JSONValue
        var subject: String { body["subject"]?.stringValue ?? "" }
    }

    let queue: String
    private let connection: AMQPConnection
    /// Everything taken off the queue so far.
    private(set) var received: [Message] = []

    init() throws {
        queue = "it.\(IntegrationEnvironment.uniqueSuffix()).alert-tap"
        connection = try AMQPConnection(config: try ScratchQueues.adminConfig())
        try connection.declareExchange("cost.alerts", type: "topic")
        try connection.declareExchange("cost.signals", type: "topic")
        try connection.declareQueue(queue, arguments: ["x-queue-type": .string("quorum")])
        try connection.bindQueue(queue, exchange: "cost.alerts", routingKey: "alert.#")
        try connection.bindQueue(queue, exchange: "cost.signals", routingKey: "breaker.#")
    }

    func delete() {
        try? connection.deleteQueue(queue)
        connection.close()
    }

    /// Takes what arrived since the last call and returns everything received so far.
    @discardableResult
    func collect() throws -> [Message] {
        while let d = try connection.get(queue: queue) {
            try connection.ack(d.deliveryTag)
            let body = (try? JSONParser.parse(d.body)) ?? .null
            received.append(Message(exchange: d.exchange, routingKey: d.routingKey, body: body))
        }
        return received
    }
}
