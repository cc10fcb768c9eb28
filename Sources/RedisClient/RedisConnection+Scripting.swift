extension RedisConnection {
    /// EVALSHA with the cached SHA1; on first use, or when the server answers NOSCRIPT (e.g.
    /// after SCRIPT FLUSH or a restart), SCRIPT LOAD then EVALSHA again. An error raised by
    /// the script throws `.server`.
    @discardableResult
    public func eval(_ script: RedisScript, keys: [String], args: [String]) throws(RedisError) -> RedisReply {
        try checkNotSubscribed()
        var reply = try send(Self.evalSHAArgs(try scriptSHA(script), keys: keys, args: args))
        if Self.isNoScript(reply) {
            reply = try send(Self.evalSHAArgs(try loadScript(script), keys: keys, args: args))
        }
        if let message = reply.errorMessage {
            throw RedisError(kind: .server, message: scrubbed(message))
        }
        return reply
    }

    /// Pipelined EVALSHA of one script with many key/arg sets (one round trip). Calls that hit
    /// NOSCRIPT are retried once after SCRIPT LOAD; other error replies stay in place as `.error`.
    public func evalMany(_ script: RedisScript, calls: [(keys: [String], args: [String])]) throws(RedisError) -> [RedisReply] {
        try evalMany(script, binaryCalls: calls.map { (keys: $0.keys, args: $0.args.map { Array($0.utf8) }) })
    }

    /// The same with binary-safe arguments (e.g. encoded state blobs).
    public func evalMany(_ script: RedisScript, binaryCalls calls: [(keys: [String], args: [[UInt8]])]) throws(RedisError)
        -> [RedisReply] {
        try evalMany(script, byteCalls: calls.map { (keys: $0.keys.map { Array($0.utf8) }, args: $0.args) })
    }

    /// The same with keys given as the bytes sent (callers that build their keys as bytes):
    /// one `PipelinedEvals` sent in a single part.
    public func evalMany(_ script: RedisScript, byteCalls calls: [(keys: [[UInt8]], args: [[UInt8]])]) throws(RedisError)
        -> [RedisReply] {
        try checkNotSubscribed()
        if calls.isEmpty { return [] }
        let evals = try pipelinedEvals(script)
        try evals.send(calls)
        return try evals.finish()
    }

    func scriptSHA(_ script: RedisScript) throws(RedisError) -> String {
        if let sha = scriptSHAs[script] { return sha }
        return try loadScript(script)
    }

    /// SCRIPT LOAD, caching the returned SHA1.
    func loadScript(_ script: RedisScript) throws(RedisError) -> String {
        let reply = try command(["SCRIPT", "LOAD", script.source])
        guard let sha = reply.string, !sha.isEmpty else {
            throw RedisError(kind: .protocolError, message: "SCRIPT LOAD returned no SHA1")
        }
        scriptSHAs[script] = sha
        return sha
    }

    static func evalSHAArgs(_ sha: String, keys: [String], args: [String]) -> [[UInt8]] {
        var out: [[UInt8]] = [Array("EVALSHA".utf8), Array(sha.utf8), Array(String(keys.count).utf8)]
        out.reserveCapacity(3 + keys.count + args.count)
        for key in keys { out.append(Array(key.utf8)) }
        for arg in args { out.append(Array(arg.utf8)) }
        return out
    }

    static func evalSHAArgs(_ sha: String, byteKeys keys: [[UInt8]], binaryArgs: [[UInt8]]) -> [[UInt8]] {
        var out: [[UInt8]] = [evalSHAWord, Array(sha.utf8), Array(String(keys.count).utf8)]
        out.reserveCapacity(3 + keys.count + binaryArgs.count)
        out.append(contentsOf: keys)
        out.append(contentsOf: binaryArgs)
        return out
    }

    private static let evalSHAWord: [UInt8] = Array("EVALSHA".utf8)

    static func isNoScript(_ reply: RedisReply) -> Bool {
        reply.errorMessage?.hasPrefix("NOSCRIPT") ?? false
    }
}

/// EVALSHA calls of one script sent in parts as they become ready, and answered together: each
/// `send` writes its calls to the socket at once, without waiting for replies, so Redis runs
/// them while the caller prepares the next part; `finish` reads every reply in call order (calls
/// that hit NOSCRIPT, e.g. after SCRIPT FLUSH or a restart, are retried once after SCRIPT LOAD).
/// `evalMany` is one part. Used by one thread, like its connection.
public final class PipelinedEvals {
    private let connection: RedisConnection
    private let script: RedisScript
    private let sha: String
    private var calls: [(keys: [[UInt8]], args: [[UInt8]])] = []
    private var finished = false

    init(connection: RedisConnection, script: RedisScript, sha: String) {
        self.connection = connection
        self.script = script
        self.sha = sha
    }

    /// Queues `calls` and writes them out (blocking until the socket took them all).
    public func send(_ calls: [(keys: [[UInt8]], args: [[UInt8]])]) throws(RedisError) {
        precondition(!finished, "PipelinedEvals used after finish()")
        guard !calls.isEmpty else { return }
        for call in calls {
            try connection.append(RedisConnection.evalSHAArgs(sha, byteKeys: call.keys, binaryArgs: call.args))
        }
        self.calls.append(contentsOf: calls)
        try connection.writeQueued()
    }

    /// One reply per call sent, in order; error replies other than NOSCRIPT stay in place.
    public func finish() throws(RedisError) -> [RedisReply] {
        precondition(!finished, "PipelinedEvals finished twice")
        finished = true
        var replies: [RedisReply] = []
        replies.reserveCapacity(calls.count)
        for _ in calls { replies.append(try connection.readReply()) }
        let missing = replies.indices.filter { RedisConnection.isNoScript(replies[$0]) }
        if !missing.isEmpty {
            let reloaded = try connection.loadScript(script)
            let retried = try connection.pipeline(bytes: missing.map {
                RedisConnection.evalSHAArgs(reloaded, byteKeys: calls[$0].keys, binaryArgs: calls[$0].args)
            })
            for (index, reply) in zip(missing, retried) { replies[index] = reply }
        }
        return replies
    }
}

extension RedisConnection {
    /// Starts a `PipelinedEvals` of `script` (loading it first when this connection has not).
    public func pipelinedEvals(_ script: RedisScript) throws(RedisError) -> PipelinedEvals {
        try checkNotSubscribed()
        return PipelinedEvals(connection: self, script: script, sha: try scriptSHA(script))
    }
}
