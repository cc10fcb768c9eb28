import Testing
import RedisClient

@Suite("Redis scripting", .serialized, .timeLimit(.minutes(2)))
struct RedisScriptingTests {
    /// Counts `ARGV[1]` into KEYS[2] once per event id (KEYS[1] is the dedupe marker).
    /// Returns 1 when counted, 0 for a duplicate.
    static let dedupeCount = RedisScript("""
        if redis.call('SET', KEYS[1], '1', 'NX', 'EX', 3600) then
          redis.call('INCRBY', KEYS[2], ARGV[1])
          return 1
        end
        return 0
        """)

    @Test func evalDedupesByEventID() throws {
        let redis = try RedisTestSupport.connect()
        let prefix = RedisTestSupport.uniquePrefix("eval")
        let keys = [prefix + "seen:evt-1", prefix + "total"]
        #expect(try redis.eval(Self.dedupeCount, keys: keys, args: ["250"]) == .integer(1))
        #expect(try redis.eval(Self.dedupeCount, keys: keys, args: ["250"]) == .integer(0))
        #expect(try redis.command(["GET", prefix + "total"]).int == 250)
        try redis.command(["DEL"] + keys)
    }

    @Test func scriptErrorsThrowServerErrors() throws {
        let redis = try RedisTestSupport.connect()
        let failing = RedisScript("return redis.error_reply('BUDGET exceeded')")
        #expect {
            try redis.eval(failing, keys: [], args: [])
        } throws: { error in
            guard let error = error as? RedisError else { return false }
            return error.kind == .server && error.message.contains("BUDGET exceeded")
        }
        #expect(try redis.command(["PING"]) == .status("PONG"))
    }

    @Test func evalRecoversFromNoScriptAfterScriptFlush() throws {
        let redis = try RedisTestSupport.connect()
        let admin = try RedisTestSupport.connect()
        let prefix = RedisTestSupport.uniquePrefix("noscript")
        let script = RedisScript("return redis.call('INCRBY', KEYS[1], ARGV[1]) -- \(prefix)")
        #expect(try redis.eval(script, keys: [prefix + "n"], args: ["1"]) == .integer(1))
        let sha = try #require(try admin.command(["SCRIPT", "LOAD", script.source]).string)

        try admin.command(["SCRIPT", "FLUSH"])
        #expect(try admin.command(["SCRIPT", "EXISTS", sha]) == .array([.integer(0)]))

        #expect(try redis.eval(script, keys: [prefix + "n"], args: ["2"]) == .integer(3))
        #expect(try admin.command(["SCRIPT", "EXISTS", sha]) == .array([.integer(1)]))
        try redis.command(["DEL", prefix + "n"])
    }

    @Test func evalManyRunsEveryCallInOneBatchAndRecoversFromNoScript() throws {
        let redis = try RedisTestSupport.connect()
        let prefix = RedisTestSupport.uniquePrefix("evalmany")
        let total = prefix + "total"
        let calls: [(keys: [String], args: [String])] = (0..<100).map { index in
            // Every event appears twice: only the first of each is counted.
            (keys: [prefix + "seen:\(index % 50)", total], args: ["\(index % 50 + 1)"])
        }
        let replies = try redis.evalMany(Self.dedupeCount, calls: calls)
        #expect(replies.count == 100)
        #expect(replies.prefix(50).allSatisfy { $0 == .integer(1) })
        #expect(replies.suffix(50).allSatisfy { $0 == .integer(0) })
        #expect(try redis.command(["GET", total]).int == Int64((1...50).reduce(0, +)))

        try redis.command(["SCRIPT", "FLUSH"])
        let more = try redis.evalMany(Self.dedupeCount, calls: [
            (keys: [prefix + "seen:new", total], args: ["1000"]),
            (keys: [prefix + "seen:0", total], args: ["1000"]),
        ])
        #expect(more == [.integer(1), .integer(0)])
        #expect(try redis.command(["GET", total]).int == 1275 + 1000)

        let seen = (0..<50).map { prefix + "seen:\($0)" } + [prefix + "seen:new", total]
        try redis.command(["DEL"] + seen)
    }
}
