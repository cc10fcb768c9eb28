import CHiredis
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension RedisConnection {
    /// SUBSCRIBE to `channels` and wait for the confirmations. Afterwards only `nextMessage`
    /// (and further `subscribe` calls) may be used on this connection.
    public func subscribe(_ channels: [String]) throws(RedisError) {
        guard !channels.isEmpty else {
            throw RedisError(kind: .invalidArgument, message: "subscribe needs at least one channel")
        }
        try append([Array("SUBSCRIBE".utf8)] + channels.map { Array($0.utf8) })
        isSubscribed = true
        var confirmed = 0
        while confirmed < channels.count {
            let reply = try readReply()
            if let message = reply.errorMessage {
                throw RedisError(kind: .server, message: scrubbed(message))
            }
            if let message = Self.publishedMessage(reply) {
                pendingMessages.append(message)
            } else if reply.array?.first?.string == "subscribe" {
                confirmed += 1
            } else {
                throw RedisError(kind: .protocolError, message: "unexpected reply to SUBSCRIBE")
            }
        }
    }

    /// The next published message, or nil when none arrives within `timeout`.
    ///
    /// hiredis marks a context as failed when a blocking read hits its socket timeout, so this
    /// never blocks inside hiredis: it drains replies already buffered by the reader, then
    /// `poll()`s the socket for the remaining time and reads only what is available
    /// (`redisBufferRead`). A timeout therefore leaves the connection usable.
    public func nextMessage(timeout: Duration) throws(RedisError) -> (channel: String, payload: [UInt8])? {
        guard isSubscribed else {
            throw RedisError(kind: .invalidArgument, message: "nextMessage needs a prior subscribe")
        }
        if !pendingMessages.isEmpty { return pendingMessages.removeFirst() }
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            let ctx = try openContext()
            var raw: UnsafeMutableRawPointer?
            if redisGetReplyFromReader(ctx, &raw) != REDIS_OK { throw fail(ctx) }
            if let raw {
                let reply = Self.convert(raw)
                freeReplyObject(raw)
                if let message = Self.publishedMessage(reply) { return message }
                continue // (un)subscribe confirmations and the like
            }
            let remaining = deadline - clock.now
            if remaining <= .zero { return nil }
            let (seconds, attoseconds) = remaining.components
            let milliseconds = Int32(clamping: seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
            var descriptor = pollfd(fd: ctx.pointee.fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, milliseconds)
            if ready < 0 {
                if errno == EINTR { continue }
                let error = RedisError(kind: .connection, message: "poll failed (errno \(errno))")
                close()
                throw error
            }
            if ready == 0 { continue }
            if redisBufferRead(ctx) != REDIS_OK { throw fail(ctx) }
        }
    }

    /// `message` → (channel, payload); `pmessage` → (channel, payload); anything else → nil.
    static func publishedMessage(_ reply: RedisReply) -> (channel: String, payload: [UInt8])? {
        guard let parts = reply.array, let kind = parts.first?.string else { return nil }
        if kind == "message", parts.count == 3, let channel = parts[1].string, case .bulk(let payload) = parts[2] {
            return (channel, payload)
        }
        if kind == "pmessage", parts.count == 4, let channel = parts[2].string, case .bulk(let payload) = parts[3] {
            return (channel, payload)
        }
        return nil
    }
}
