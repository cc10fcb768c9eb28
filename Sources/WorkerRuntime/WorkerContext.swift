import AMQPClient
import CostCore
import Logging

/// What the runtime lends a processor while it runs a batch: a logger, the metrics and a
/// confirmed publisher for signals and alerts. Used on the loop thread only.
public final class WorkerContext {
    public let settings: WorkerSettings
    public let logger: Logger
    public let metrics: WorkerMetrics
    let publisher: ConfirmedPublisher
    let clock: @Sendable () -> Timestamp

    init(settings: WorkerSettings, logger: Logger, metrics: WorkerMetrics, publisher: ConfirmedPublisher,
         clock: @escaping @Sendable () -> Timestamp) {
        self.settings = settings
        self.logger = logger
        self.metrics = metrics
        self.publisher = publisher
        self.clock = clock
    }

    public var now: Timestamp { clock() }

    /// Publishes persistently and waits for the broker's confirm.
    public func publishConfirmed(exchange: String, routingKey: String, body: [UInt8],
                                 headers: [String: AMQPFieldValue] = [:]) throws(AMQPError) {
        try publishUnconfirmed(exchange: exchange, routingKey: routingKey, body: body, headers: headers)
        try waitForConfirms()
    }

    /// Publishes persistently without waiting for the broker's confirm: call
    /// `waitForConfirms()` before the batch is acked (other work can go on meanwhile).
    public func publishUnconfirmed(exchange: String, routingKey: String, body: [UInt8],
                                   headers: [String: AMQPFieldValue] = [:]) throws(AMQPError) {
        try publisher.publish(exchange: exchange, routingKey: routingKey, body: body,
                              properties: AMQPProperties(contentType: "application/json", headers: headers))
    }

    /// Waits until everything published so far is confirmed.
    public func waitForConfirms() throws(AMQPError) {
        try publisher.flush()
    }
}
