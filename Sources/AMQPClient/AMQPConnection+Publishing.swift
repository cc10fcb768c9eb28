import CRabbitMQ
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension AMQPConnection {
    /// Turns on publisher confirms for this channel (`confirm.select`).
    public func enableConfirms() throws(AMQPError) {
        let state = try requireOpen()
        if confirmsEnabled { return }
        guard !consuming else {
            throw AMQPError(kind: .invalidArgument, message: "a consuming connection cannot enable publisher confirms; publish on another connection")
        }
        amqp_confirm_select(state, Self.channel)
        try check(amqp_get_rpc_reply(state), "enabling publisher confirms")
        confirmsEnabled = true
    }

    /// Publishes one message. With confirms on, returns its sequence number (1, 2, …) and
    /// reads any confirm frames already waiting (so a channel the broker closed surfaces
    /// here or in the next `pollConfirms` / `waitForConfirms`); otherwise returns 0.
    @discardableResult
    public func publish(
        exchange: String, routingKey: String, body: [UInt8],
        properties: AMQPProperties = AMQPProperties(), mandatory: Bool = false
    ) throws(AMQPError) -> UInt64 {
        let state = try requireOpen()
        let status: Int32
        do {
            defer { scratch.recycle() }
            var cProperties = scratch.properties(properties)
            let cExchange = scratch.bytes(exchange)
            let cRoutingKey = scratch.bytes(routingKey)
            status = body.withUnsafeBytes { raw in
                amqp_basic_publish(
                    state, Self.channel, cExchange, cRoutingKey, mandatory ? 1 : 0, 0, &cProperties,
                    amqp_bytes_t(len: raw.count, bytes: UnsafeMutableRawPointer(mutating: raw.baseAddress)))
            }
        }
        guard status == AMQP_STATUS_OK.rawValue else {
            throw libraryError(status, "publishing to exchange '\(exchange)'")
        }
        guard confirmsEnabled else { return 0 }
        let sequence = confirms.published()
        try readWaitingFrames(state, "publishing to exchange '\(exchange)'")
        return sequence
    }

    /// How many published messages the broker has not confirmed yet (0 without confirms).
    public var unconfirmedCount: Int { confirms.unconfirmed }

    /// Reads the confirm frames already available without blocking and returns how many
    /// messages are still unconfirmed. Throws `.nacked` (listing sequence numbers) if the
    /// broker nacked any since the last call, or the error of a channel the broker closed.
    @discardableResult
    public func pollConfirms() throws(AMQPError) -> Int {
        let state = try requireOpen()
        try readWaitingFrames(state, "reading publisher confirms")
        try throwIfNacked()
        return confirms.unconfirmed
    }

    /// Blocks until every published message is confirmed; `.timeout` after `timeout`,
    /// `.nacked` as soon as the broker nacks one, or the error of a closed channel
    /// (e.g. `.accessRefused` for an exchange this user may not write to).
    public func waitForConfirms(timeout: Duration) throws(AMQPError) {
        let state = try requireOpen()
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        try throwIfNacked()
        while confirms.unconfirmed > 0 {
            let remaining = deadline - clock.now
            guard remaining > .zero else {
                throw AMQPError(
                    kind: .timeout,
                    message: "\(confirms.unconfirmed) published messages still unconfirmed after \(timeout)")
            }
            var wait = timeval(remaining)
            var frame = amqp_frame_t()
            let status = amqp_simple_wait_frame_noblock(state, &frame, &wait)
            if status == AMQP_STATUS_TIMEOUT.rawValue { continue }
            guard status == AMQP_STATUS_OK.rawValue else {
                throw libraryError(status, "waiting for publisher confirms")
            }
            try handle(frame, "waiting for publisher confirms")
            amqp_maybe_release_buffers(state)
            try throwIfNacked()
        }
    }

    /// Handles every frame that can be read without blocking.
    func readWaitingFrames(_ state: amqp_connection_state_t, _ context: @autoclosure () -> String) throws(AMQPError) {
        var immediately = timeval(tv_sec: 0, tv_usec: 0)
        while true {
            var frame = amqp_frame_t()
            let status = amqp_simple_wait_frame_noblock(state, &frame, &immediately)
            if status == AMQP_STATUS_TIMEOUT.rawValue { break }
            guard status == AMQP_STATUS_OK.rawValue else {
                throw libraryError(status, context())
            }
            try handle(frame, context())
        }
        amqp_maybe_release_buffers(state)
    }

    private func throwIfNacked() throws(AMQPError) {
        let nacked = confirms.takeNacked()
        guard !nacked.isEmpty else { return }
        let shown = nacked.prefix(20).map(String.init).joined(separator: ", ")
        let more = nacked.count > 20 ? " and \(nacked.count - 20) more" : ""
        throw AMQPError(kind: .nacked, message: "the broker nacked published messages \(shown)\(more)")
    }
}
