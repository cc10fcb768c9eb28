import Testing
import RedisClient
#if canImport(Glibc)
import Glibc
#endif

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

    @Test func pipelinedEvalsSendPartsBeforeReadingAndAnswerInOrder() throws {
        let redis = try RedisTestSupport.connect()
        let observer = try RedisTestSupport.connect()
        let prefix = RedisTestSupport.uniquePrefix("pipelined")
        let total = prefix + "total"
        func call(_ event: Int, _ amount: Int) -> (keys: [[UInt8]], args: [[UInt8]]) {
            (keys: [Array((prefix + "seen:\(event)").utf8), Array(total.utf8)], args: [Array(String(amount).utf8)])
        }
        let writes = try redis.pipelinedEvals(Self.dedupeCount)
        try writes.send((0..<30).map { call($0, 1) })
        // Sent, not yet answered: Redis runs the first part while the caller prepares the next.
        var applied: Int64?
        for _ in 0..<200 {
            applied = try observer.command(["GET", total]).int
            if applied == 30 { break }
            usleep(5_000)
        }
        #expect(applied == 30, "the first part should run before finish() reads its replies")
        try writes.send([])  // an empty part sends nothing
        try writes.send((25..<40).map { call($0, 10) })  // 25–29 are duplicates of the first part
        let replies = try writes.finish()
        #expect(replies.count == 45)
        #expect(replies.prefix(30).allSatisfy { $0 == .integer(1) })
        #expect(replies[30..<35].allSatisfy { $0 == .integer(0) })
        #expect(replies.suffix(10).allSatisfy { $0 == .integer(1) })
        #expect(try redis.command(["GET", total]).int == 30 + 100)

        // A script flushed between the parts: the calls that met NOSCRIPT run once after a reload.
        let again = try redis.pipelinedEvals(Self.dedupeCount)
        try again.send([call(100, 5)])
        #expect(try again.finish() == [.integer(1)])
        let flushed = try redis.pipelinedEvals(Self.dedupeCount)
        try observer.command(["SCRIPT", "FLUSH"])
        try flushed.send([call(101, 7), call(100, 5)])
        #expect(try flushed.finish() == [.integer(1), .integer(0)])
        #expect(try redis.command(["GET", total]).int == 130 + 5 + 7)
        try redis.command(["DEL", total] + (0..<40).map { prefix + "seen:\($0)" } + [prefix + "seen:100", prefix + "seen:101"])
    }
}
