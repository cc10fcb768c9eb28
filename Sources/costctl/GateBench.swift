import AgentSDK
import ArgumentParser
import CostCore
import Foundation
import RedisClient
import WorkerRuntime

struct GateBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gate",
        abstract: "Gate check latency (cached and uncached) next to a raw Redis HGETALL round trip, and change propagation.",
        discussion: "Uses Redis database 13 (flushed). Targets: cached p99 ≤ 5 µs; uncached ≤ 1.3× raw; change to every gate p99 < 250 ms.")

    @Option(help: "Checks measured per kind.") var checks: Int = 20_000
    @Option(help: "Gates watching for changes in the propagation test.") var gates: Int = 4
    @Option(help: "Breaker changes in the propagation test.") var changes: Int = 200

    func run() throws {
        let url = BudgetBench.withDatabase(try CLIEnvironment.value("COST_REDIS_URL", purpose: "the Redis URL"), 13)
        let redis = try RedisConnection(config: try RedisConfig(url: url))
        defer { redis.close() }
        try redis.command(["FLUSHDB"])
        // A realistic mix: the global breaker closed (no key), the provider open by an override, the agent closed.
        let far = SystemClock.unixMilliseconds + 3_600_000
        try redis.command(["HSET", "cost:breaker:provider:openai", "state", "open", "reason", "manual", "since", "1",
                           "retry_at", "0", "override_until", String(far), "version", "3", "probes_left", "0", "cooldown_ms", "0"])

        // Raw: one HGETALL round trip through the same client library.
        var raw: [Int64] = []
        for _ in 0..<checks { raw.append(try timed { _ = try redis.command(["HGETALL", "cost:breaker:agent:agent-7"]) }) }

        let gate = try AgentGate(redisURL: url, failureMode: .failClosed)
        var uncached: [Int64] = []
        for _ in 0..<checks { uncached.append(timed { _ = gate.checkUncached(agent: "agent-7", provider: "openai") }) }

        gate.start()
        let deadline = Date().addingTimeInterval(5)
        while !gate.isLive && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        guard gate.isLive else { throw ValidationError("the gate did not subscribe within 5 s") }
        _ = gate.check(agent: "agent-7", provider: "openai")   // fills the cache
        var cached: [Int64] = []
        var cachedHits = 0
        for _ in 0..<checks * 5 {
            var d: AgentGate.Decision?
            cached.append(timed { d = gate.check(agent: "agent-7", provider: "openai") })
            if d?.cached == true { cachedHits += 1 }
        }

        // Propagation: a change written and published like the breaker worker does; time until
        // every running gate answers with it.
        let watchers = try (0..<gates).map { _ in try AgentGate(redisURL: url, failureMode: .failClosed) }
        for w in watchers { w.start() }
        while watchers.contains(where: { !$0.isLive }) { Thread.sleep(forTimeInterval: 0.01) }
        for w in watchers { _ = w.check(agent: "agent-9", provider: "anthropic") }
        var propagation: [Int64] = []
        for i in 1...changes {
            let open = i % 2 == 1
            let fields = ["state", open ? "open" : "closed", "reason", open ? "manual" : "manual_reset", "since", "1",
                          "retry_at", "0", "override_until", "0", "version", String(i), "probes_left", "0", "cooldown_ms", "0"]
            var payload = [("scope", JSONValue.string("agent:agent-9"))]
            stride(from: 0, to: fields.count, by: 2).forEach { payload.append((fields[$0], .string(fields[$0 + 1]))) }
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try redis.pipeline([["HSET", "cost:breaker:agent:agent-9"] + fields,
                                    ["PUBLISH", "cost:breaker:events", JSONValue.object(payload).serialized()]])
            for w in watchers {
                while w.check(agent: "agent-9", provider: "anthropic").allowed == open {
                    if DispatchTime.now().uptimeNanoseconds - start > 5_000_000_000 { throw ValidationError("a gate never saw change \(i)") }
                }
                propagation.append(Int64(DispatchTime.now().uptimeNanoseconds - start))
            }
        }
        for w in watchers { w.stop() }
        gate.stop()
        try redis.command(["FLUSHDB"])

        func us(_ ns: Int64) -> String { String(format: "%.1f µs", Double(ns) / 1000) }
        func ms(_ ns: Int64) -> String { String(format: "%.2f ms", Double(ns) / 1_000_000) }
        let (rp50, rp99) = percentiles(raw), (up50, up99) = percentiles(uncached), (cp50, cp99) = percentiles(cached)
        let (pp50, pp99) = percentiles(propagation)
        print("raw HGETALL round trip:  p50 \(us(rp50))  p99 \(us(rp99))")
        print("gate, uncached (3 scopes, one pipelined round trip): p50 \(us(up50))  p99 \(us(up99))  "
              + "= \(String(format: "%.2f", Double(up99) / Double(rp99)))× raw p99 (target ≤ 1.3×)")
        print("gate, cached: p50 \(us(cp50))  p99 \(us(cp99)) (target ≤ 5 µs); \(cachedHits) of \(cached.count) answered from the cache")
        print("change → all \(gates) gates: p50 \(ms(pp50))  p99 \(ms(pp99)) over \(changes) changes (target p99 < 250 ms)")
    }

    func timed(_ body: () throws -> Void) rethrows -> Int64 {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Int64(DispatchTime.now().uptimeNanoseconds - start)
    }

    func percentiles(_ values: [Int64]) -> (Int64, Int64) {
        let s = values.sorted()
        guard !s.isEmpty else { return (0, 0) }
        return (s[s.count / 2], s[min(s.count - 1, s.count * 99 / 100)])
    }
}
