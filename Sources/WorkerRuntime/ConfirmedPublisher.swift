import AMQPClient

/// A publishing connection with confirms that reconnects on demand. One owner thread.
public final class ConfirmedPublisher {
    private let config: AMQPConfig
    private var connection: AMQPConnection?
    private let confirmTimeout: Duration

    public init(config: AMQPConfig, confirmTimeout: Duration = .seconds(10)) {
        self.config = config
        self.confirmTimeout = confirmTimeout
    }

    private func open() throws(AMQPError) -> AMQPConnection {
        if let c = connection, c.isOpen { return c }
        connection?.close()
        connection = nil
        let c = try AMQPConnection(config: config)
        try c.enableConfirms()
        connection = c
        return c
    }

    public func publish(exchange: String, routingKey: String, body: [UInt8], properties: AMQPProperties) throws(AMQPError) {
        do {
            try open().publish(exchange: exchange, routingKey: routingKey, body: body, properties: properties)
        } catch {
            close()
            throw error
        }
    }

    /// Waits until everything published so far is confirmed.
    public func flush() throws(AMQPError) {
        guard let c = connection else { return }
        do {
            try c.waitForConfirms(timeout: confirmTimeout)
        } catch {
            close()
            throw error
        }
    }

    /// Keeps an idle connection open. rabbitmq-c sends heartbeats only from within its calls,
    /// so a publisher silent for two heartbeat intervals (60 s by default) is dropped by the
    /// broker, and the next publish (a batch's alert, say, minutes after the last) fails and
    /// the batch is retried. Called from the owner's housekeeping; it touches the connection
    /// only when nothing published is awaiting its confirm (so no nack can be swallowed here).
    public func keepAlive() {
        guard let c = connection, c.isOpen, c.unconfirmedCount == 0 else { return }
        do { try c.pollConfirms() } catch { close() }
    }

    public func close() {
        connection?.close()
        connection = nil
    }
}
