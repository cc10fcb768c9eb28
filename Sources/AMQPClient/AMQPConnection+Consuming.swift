import CRabbitMQ
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension AMQPConnection {
    /// At most `count` unacknowledged deliveries on this channel (0 = unlimited).
    public func setPrefetch(_ count: UInt16) throws(AMQPError) {
        let state = try requireOpen()
        amqp_basic_qos(state, Self.channel, 0, count, 0)
        try check(amqp_get_rpc_reply(state), "setting prefetch to \(count)")
    }

    /// Starts a consumer with manual acks; returns its consumer tag (the broker picks one
    /// when `consumerTag` is empty). Read deliveries with `nextDelivery`.
    @discardableResult
    public func consume(queue: String, consumerTag: String = "") throws(AMQPError) -> String {
        let state = try requireOpen()
        guard !confirmsEnabled else {
            throw AMQPError(kind: .invalidArgument, message: "a connection with publisher confirms cannot consume; consume on another connection")
        }
        defer { scratch.recycle() }
        let ok = amqp_basic_consume(
            state, Self.channel, scratch.bytes(queue), scratch.bytes(consumerTag), 0, 0, 0,
            amqp_table_t(num_entries: 0, entries: nil))
        try check(amqp_get_rpc_reply(state), "consuming from queue '\(queue)'")
        consuming = true
        return ok.map { String(copying: $0.pointee.consumer_tag) } ?? consumerTag
    }

    /// The next delivery, or nil when none arrives within `timeout`. Heartbeats are handled
    /// while waiting, so call this at least once per heartbeat interval. A channel or
    /// connection closed by the broker throws its typed error and leaves `isOpen` false.
    public func nextDelivery(timeout: Duration) throws(AMQPError) -> AMQPDelivery? {
        let state = try requireOpen()
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            amqp_maybe_release_buffers(state)
            var envelope = amqp_envelope_t()
            var wait = timeval(deadline - clock.now)
            let reply = amqp_consume_message(state, &envelope, &wait, 0)
            if reply.reply_type == AMQP_RESPONSE_NORMAL {
                let delivery = AMQPDelivery(
                    deliveryTag: envelope.delivery_tag,
                    redelivered: envelope.redelivered != 0,
                    exchange: String(copying: envelope.exchange),
                    routingKey: String(copying: envelope.routing_key),
                    body: [UInt8](copying: envelope.message.body),
                    properties: AMQPProperties(copying: envelope.message.properties))
                amqp_destroy_envelope(&envelope)
                return delivery
            }
            guard reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION else {
                throw replyError(reply, "waiting for a delivery")
            }
            switch reply.library_error {
            case AMQP_STATUS_TIMEOUT.rawValue:
                return nil
            case AMQP_STATUS_UNEXPECTED_STATE.rawValue:
                // A frame other than basic.deliver was put back: read and handle it.
                var frame = amqp_frame_t()
                var immediately = timeval(tv_sec: 0, tv_usec: 0)
                let status = amqp_simple_wait_frame_noblock(state, &frame, &immediately)
                if status == AMQP_STATUS_OK.rawValue {
                    try handle(frame, "waiting for a delivery")
                } else if status != AMQP_STATUS_TIMEOUT.rawValue {
                    throw libraryError(status, "waiting for a delivery")
                }
                if clock.now >= deadline { return nil }
            default:
                throw libraryError(reply.library_error, "waiting for a delivery")
            }
        }
    }

    /// `basic.get` with manual ack; nil when the queue is empty.
    public func get(queue: String) throws(AMQPError) -> AMQPDelivery? {
        let state = try requireOpen()
        defer {
            scratch.recycle()
            amqp_maybe_release_buffers(state)
        }
        let reply = amqp_basic_get(state, Self.channel, scratch.bytes(queue), 0)
        try check(reply, "getting a message from queue '\(queue)'")
        guard reply.reply.id != AMQPMethod.basicGetEmpty, let decoded = reply.reply.decoded else { return nil }
        let ok = decoded.assumingMemoryBound(to: amqp_basic_get_ok_t.self).pointee
        let deliveryTag = ok.delivery_tag
        let redelivered = ok.redelivered != 0
        let exchange = String(copying: ok.exchange)
        let routingKey = String(copying: ok.routing_key)
        var message = amqp_message_t()
        let read = amqp_read_message(state, Self.channel, &message, 0)
        try check(read, "reading a message from queue '\(queue)'")
        defer { amqp_destroy_message(&message) }
        return AMQPDelivery(
            deliveryTag: deliveryTag, redelivered: redelivered, exchange: exchange, routingKey: routingKey,
            body: [UInt8](copying: message.body), properties: AMQPProperties(copying: message.properties))
    }

    /// Acknowledges one delivery, or with `multiple` every delivery up to this tag.
    public func ack(_ deliveryTag: UInt64, multiple: Bool = false) throws(AMQPError) {
        let state = try requireOpen()
        let status = amqp_basic_ack(state, Self.channel, deliveryTag, multiple ? 1 : 0)
        guard status == AMQP_STATUS_OK.rawValue else {
            throw libraryError(status, "acknowledging delivery \(deliveryTag)")
        }
    }

    /// Rejects one delivery (or all up to this tag), putting it back on the queue when
    /// `requeue`, else dead-lettering or dropping it as the queue's arguments say.
    public func nack(_ deliveryTag: UInt64, multiple: Bool = false, requeue: Bool) throws(AMQPError) {
        let state = try requireOpen()
        let status = amqp_basic_nack(state, Self.channel, deliveryTag, multiple ? 1 : 0, requeue ? 1 : 0)
        guard status == AMQP_STATUS_OK.rawValue else {
            throw libraryError(status, "rejecting delivery \(deliveryTag)")
        }
    }
}
