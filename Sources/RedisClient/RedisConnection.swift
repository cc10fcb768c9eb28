import CHiredis
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One blocking connection to Redis over a hiredis context.
///
/// NOT thread-safe: one owner (a thread or a serial executor) uses it at a time. Every
/// reply is copied into a `RedisReply` and the hiredis reply object freed before returning.
/// After an I/O or protocol error the context is freed and further calls throw `.closed`.
public final class RedisConnection {
    let config: RedisConfig
    var context: UnsafeMutablePointer<redisContext>?
    /// SHA1 of each script this connection has loaded with SCRIPT LOAD.
    var scriptSHAs: [RedisScript: String] = [:]
    /// After SUBSCRIBE only `nextMessage` may be used.
    var isSubscribed = false
    /// Messages that arrived while `subscribe` was waiting for its confirmations.
    var pendingMessages: [(channel: String, payload: [UInt8])] = []

    /// Connects with `config.timeout`, then sends AUTH (when a password is set) and SELECT.
    public init(config: RedisConfig) throws(RedisError) {
        self.config = config
        let tv = Self.makeTimeval(config.timeout)
        guard let ctx = redisConnectWithTimeout(config.host, Int32(clamping: config.port), tv) else {
            throw RedisError(kind: .connection, message: "could not allocate a Redis context")
        }
        if ctx.pointee.err != 0 {
            let error = Self.contextError(ctx, host: config.host, port: config.port)
            redisFree(ctx)
            throw error
        }
        redisSetTimeout(ctx, tv)
        context = ctx
        do throws(RedisError) {
            if let password = config.password {
                var auth = ["AUTH"]
                if let user = config.username { auth.append(user) }
                auth.append(password)
                let reply = try send(auth.map { Array($0.utf8) })
                if let message = reply.errorMessage {
                    throw RedisError(kind: .server, message: "authentication failed: \(scrubbed(message))")
                }
            }
            if config.database != 0 {
                try command(["SELECT", String(config.database)])
            }
        } catch {
            close()
            throw error
        }
    }

    deinit { close() }

    /// True while the hiredis context exists and has not failed.
    public var isOpen: Bool {
        guard let ctx = context else { return false }
        return ctx.pointee.err == 0
    }

    /// Frees the hiredis context. Idempotent.
    public func close() {
        if let ctx = context {
            redisFree(ctx)
            context = nil
        }
    }

    /// Sends one command (binary-safe, via redisCommandArgv). A server error reply throws
    /// `RedisError(kind: .server)`.
    @discardableResult
    public func command(_ args: [String]) throws(RedisError) -> RedisReply {
        try command(bytes: args.map { Array($0.utf8) })
    }

    @discardableResult
    public func command(bytes args: [[UInt8]]) throws(RedisError) -> RedisReply {
        try checkNotSubscribed()
        let reply = try send(args)
        if let message = reply.errorMessage {
            throw RedisError(kind: .server, message: scrubbed(message))
        }
        return reply
    }

    /// Appends every command, then reads one reply per command (one round trip). Error replies
    /// stay in place as `.error`; only connection-level failures throw.
    public func pipeline(_ commands: [[String]]) throws(RedisError) -> [RedisReply] {
        try checkNotSubscribed()
        return try pipeline(bytes: commands.map { $0.map { Array($0.utf8) } })
    }

    /// The same with binary-safe arguments.
    public func pipeline(bytes commands: [[[UInt8]]]) throws(RedisError) -> [RedisReply] {
        try checkNotSubscribed()
        if commands.isEmpty { return [] }
        for args in commands { try append(args) }
        var replies: [RedisReply] = []
        replies.reserveCapacity(commands.count)
        for _ in commands { replies.append(try readReply()) }
        return replies
    }

    // MARK: - Internals shared with the scripting and pub/sub extensions

    /// One command; an error reply is returned as `.error`, not thrown.
    func send(_ args: [[UInt8]]) throws(RedisError) -> RedisReply {
        let ctx = try openContext()
        guard !args.isEmpty else { throw RedisError(kind: .invalidArgument, message: "empty command") }
        let raw = Self.withArgv(args) { argc, argv, lengths in redisCommandArgv(ctx, argc, argv, lengths) }
        guard let raw else { throw fail(ctx) }
        defer { freeReplyObject(raw) }
        return Self.convert(raw)
    }

    /// Queues one command, formatted here (`formatted(_:)`) rather than by hiredis, whose
    /// `redisAppendCommandArgv` formats each argument's header with a printf-like call: a
    /// sizeable part of the CPU a pipelined batch costs. The bytes sent are the same.
    func append(_ args: [[UInt8]]) throws(RedisError) {
        let ctx = try openContext()
        guard !args.isEmpty else { throw RedisError(kind: .invalidArgument, message: "empty command") }
        let command = Self.formatted(args)
        let status = command.withUnsafeBufferPointer { buffer in
            redisAppendFormattedCommand(ctx, UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self), buffer.count)
        }
        if status != REDIS_OK { throw fail(ctx) }
    }

    /// A command in the Redis protocol's (RESP) form, as hiredis formats it: `*<argc>\r\n`, then
    /// per argument `$<length>\r\n<bytes>\r\n`.
    static func formatted(_ args: [[UInt8]]) -> [UInt8] {
        var total = 16
        for arg in args { total += arg.count + 24 }
        var out: [UInt8] = []
        out.reserveCapacity(total)
        appendHeader(UInt8(ascii: "*"), args.count, to: &out)
        for arg in args {
            appendHeader(UInt8(ascii: "$"), arg.count, to: &out)
            out.append(contentsOf: arg)
            out.append(UInt8(ascii: "\r"))
            out.append(UInt8(ascii: "\n"))
        }
        return out
    }

    /// `marker`, `count` in decimal, CR LF.
    private static func appendHeader(_ marker: UInt8, _ count: Int, to out: inout [UInt8]) {
        out.append(marker)
        var divisor = 1
        while divisor <= count / 10 { divisor *= 10 }
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(count / divisor % 10))
            divisor /= 10
        }
        out.append(UInt8(ascii: "\r"))
        out.append(UInt8(ascii: "\n"))
    }

    /// Writes every queued command to the socket without reading replies.
    func writeQueued() throws(RedisError) {
        let ctx = try openContext()
        var done: Int32 = 0
        while done == 0 {
            if redisBufferWrite(ctx, &done) != REDIS_OK { throw fail(ctx) }
        }
    }

    /// Blocking read of the next reply (flushes pending output first).
    func readReply() throws(RedisError) -> RedisReply {
        let ctx = try openContext()
        var raw: UnsafeMutableRawPointer?
        guard redisGetReply(ctx, &raw) == REDIS_OK, let raw else { throw fail(ctx) }
        defer { freeReplyObject(raw) }
        return Self.convert(raw)
    }

    func openContext() throws(RedisError) -> UnsafeMutablePointer<redisContext> {
        guard let ctx = context else { throw RedisError(kind: .closed, message: "connection is closed") }
        return ctx
    }

    func checkNotSubscribed() throws(RedisError) {
        if isSubscribed {
            throw RedisError(kind: .invalidArgument, message: "connection is subscribed: only nextMessage may be used")
        }
    }

    /// Turns the context's error into a `RedisError` and drops the (now unusable) context.
    func fail(_ ctx: UnsafeMutablePointer<redisContext>) -> RedisError {
        let error: RedisError
        if ctx.pointee.err == 0 {
            error = RedisError(kind: .protocolError, message: "no reply from hiredis")
        } else {
            error = Self.contextError(ctx, host: config.host, port: config.port)
        }
        close()
        return error
    }

    /// Removes the password from server-provided text, defensively.
    func scrubbed(_ message: String) -> String {
        guard let password = config.password, !password.isEmpty else { return message }
        return message.replacing(password, with: "***")
    }

    static func contextError(_ ctx: UnsafeMutablePointer<redisContext>, host: String, port: Int) -> RedisError {
        let text = withUnsafeBytes(of: ctx.pointee.errstr) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        let message = "\(host):\(port): \(text)"
        switch ctx.pointee.err {
        case REDIS_ERR_PROTOCOL:
            return RedisError(kind: .protocolError, message: message)
        case REDIS_ERR_IO where text.contains("timed out") || text.contains("temporarily unavailable"):
            return RedisError(kind: .timeout, message: message)
        default:
            return RedisError(kind: .connection, message: message)
        }
    }

    static func makeTimeval(_ duration: Duration) -> timeval {
        let (seconds, attoseconds) = duration.components
        return timeval(tv_sec: Int(max(seconds, 0)), tv_usec: Int(max(attoseconds, 0) / 1_000_000_000_000))
    }

    /// Calls `body` with argc/argv/argvlen pointing into one contiguous copy of `args`.
    static func withArgv<R>(
        _ args: [[UInt8]],
        _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafeMutablePointer<Int>) -> R
    ) -> R {
        // Plain loops and temporary (stack) buffers: this runs for every command, and an array
        // of pointers costs a runtime metadata look-up per allocation.
        var total = 1
        for arg in args { total += arg.count }
        var joined: [UInt8] = []
        joined.reserveCapacity(total)
        for arg in args { joined.append(contentsOf: arg) }
        joined.append(0)
        return joined.withUnsafeBufferPointer { buffer in
            let base = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
            return withUnsafeTemporaryAllocation(of: UnsafePointer<CChar>?.self, capacity: max(args.count, 1)) { argv in
                withUnsafeTemporaryAllocation(of: Int.self, capacity: max(args.count, 1)) { argvlen in
                    var offset = 0
                    for (index, arg) in args.enumerated() {
                        argv.initializeElement(at: index, to: base + offset)
                        argvlen.initializeElement(at: index, to: arg.count)
                        offset += arg.count
                    }
                    return body(Int32(args.count), argv.baseAddress!, argvlen.baseAddress!)
                }
            }
        }
    }

    /// Copies a hiredis reply tree into a `RedisReply` (the caller frees the C object).
    static func convert(_ raw: UnsafeMutableRawPointer) -> RedisReply {
        let reply = raw.assumingMemoryBound(to: redisReply.self).pointee
        func bytes() -> [UInt8] {
            guard let str = reply.str else { return [] }
            return Array(UnsafeRawBufferPointer(start: str, count: reply.len))
        }
        switch reply.type {
        case REDIS_REPLY_STATUS: return .status(String(decoding: bytes(), as: UTF8.self))
        case REDIS_REPLY_ERROR: return .error(String(decoding: bytes(), as: UTF8.self))
        case REDIS_REPLY_INTEGER: return .integer(Int64(reply.integer))
        case REDIS_REPLY_STRING: return .bulk(bytes())
        case REDIS_REPLY_NIL: return .null
        case REDIS_REPLY_ARRAY:
            var elements: [RedisReply] = []
            elements.reserveCapacity(reply.elements)
            for index in 0..<reply.elements {
                if let element = reply.element[index] {
                    elements.append(convert(UnsafeMutableRawPointer(element)))
                } else {
                    elements.append(.null)
                }
            }
            return .array(elements)
        default:
            return .error("unsupported reply type \(reply.type)")
        }
    }
}
