import CRabbitMQ

extension AMQPConnection {
    /// Declares an exchange (idempotent when it exists with the same settings; a conflict
    /// is `.preconditionFailed` and closes the channel).
    public func declareExchange(_ name: String, type: String, durable: Bool = true) throws(AMQPError) {
        let state = try requireOpen()
        defer { scratch.recycle() }
        amqp_exchange_declare(
            state, Self.channel, scratch.bytes(name), scratch.bytes(type),
            0, durable ? 1 : 0, 0, 0, amqp_table_t(num_entries: 0, entries: nil))
        try check(amqp_get_rpc_reply(state), "declaring exchange '\(name)'")
    }

    /// Declares a queue, or with `passive` checks that it exists (`.notFound` otherwise).
    @discardableResult
    public func declareQueue(
        _ name: String, durable: Bool = true, arguments: [String: AMQPFieldValue] = [:], passive: Bool = false
    ) throws(AMQPError) -> (messageCount: UInt32, consumerCount: UInt32) {
        let state = try requireOpen()
        defer { scratch.recycle() }
        let ok = amqp_queue_declare(
            state, Self.channel, scratch.bytes(name), passive ? 1 : 0, durable ? 1 : 0, 0, 0,
            scratch.table(arguments))
        try check(amqp_get_rpc_reply(state), "declaring queue '\(name)'")
        guard let ok else { return (0, 0) }
        return (ok.pointee.message_count, ok.pointee.consumer_count)
    }

    public func bindQueue(_ queue: String, exchange: String, routingKey: String) throws(AMQPError) {
        let state = try requireOpen()
        defer { scratch.recycle() }
        amqp_queue_bind(
            state, Self.channel, scratch.bytes(queue), scratch.bytes(exchange), scratch.bytes(routingKey),
            amqp_table_t(num_entries: 0, entries: nil))
        try check(amqp_get_rpc_reply(state), "binding queue '\(queue)' to exchange '\(exchange)'")
    }

    /// Removes every ready message; returns how many there were.
    @discardableResult
    public func purgeQueue(_ name: String) throws(AMQPError) -> UInt32 {
        let state = try requireOpen()
        defer { scratch.recycle() }
        let ok = amqp_queue_purge(state, Self.channel, scratch.bytes(name))
        try check(amqp_get_rpc_reply(state), "purging queue '\(name)'")
        return ok?.pointee.message_count ?? 0
    }

    /// Deletes an exchange (bindings go with it). Deleting a missing exchange succeeds.
    public func deleteExchange(_ name: String) throws(AMQPError) {
        let state = try requireOpen()
        defer { scratch.recycle() }
        amqp_exchange_delete(state, Self.channel, scratch.bytes(name), 0)
        try check(amqp_get_rpc_reply(state), "deleting exchange '\(name)'")
    }

    /// Deletes a queue with its messages. Deleting a missing queue succeeds.
    public func deleteQueue(_ name: String) throws(AMQPError) {
        let state = try requireOpen()
        defer { scratch.recycle() }
        amqp_queue_delete(state, Self.channel, scratch.bytes(name), 0, 0)
        try check(amqp_get_rpc_reply(state), "deleting queue '\(name)'")
    }
}
