import AgentSDK
import CostCore
import Foundation
import RedisClient
import Testing

/// The SDK's gate against a real Redis (database 12): cached answers follow published
/// changes, and an unreachable Redis answers as configured.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct AgentGateTests {
    static func url() throws -> String {
        let base = try RedisTestSupport.requiredEnv("COST_REDIS_URL")
        guard let slash = base.lastIndex(of: "/"), base[base.index(after: slash)...].allSatisfy(\.isNumber) else { return base + "/12" }
        return String(base[..<slash]) + "/12"
    }

    static func write(_ redis: RedisConnection, scope: String, _ state: BreakerState) throws {
        var payload: [(String, JSONValue)] = [("scope", .string(scope))]
        for (k, v) in state.redisFields { payload.append((k, .string(v))) }
        _ = try redis.pipeline([["HSET", "cost:breaker:" + scope] + state.redisFields.flatMap { [$0.0, $0.1] },
                                ["PUBLISH", "cost:breaker:events", JSONValue.object(payload).serialized()]])
    }

    func waitUntil(_ what: String, _ condition: () -> Bool) async throws {
        for _ in 0..<400 where !condition() { try await Task.sleep(for: .milliseconds(10)) }
        #expect(condition(), "timed out waiting until \(what)")
    }

    @Test func cachedAnswersFollowPublishedChanges() async throws {
        let redis = try RedisConnection(config: try RedisConfig(url: try Self.url()))
        defer { redis.close() }
        try redis.command(["FLUSHDB"])
        let gate = try AgentGate(redisURL: try Self.url(), failureMode: .failClosed)
        gate.start()
        defer { gate.stop() }
        try await waitUntil("the gate subscribed") { gate.isLive }

        let first = gate.check(agent: "a1", provider: "openai")
        #expect(first.kind == .allowed)
        let second = gate.check(agent: "a1", provider: "openai")
        #expect(second.kind == .allowed && second.cached, "the second answer comes from the cache")

        var open = BreakerState.closed
        open.phase = .open
        open.reason = "daily_budget_90pct"
        open.retryAtMs = 1_900_000_000_000
        open.version = 1
        try Self.write(redis, scope: "agent:a1", open)
        try await waitUntil("the change reached the cache") { !gate.check(agent: "a1", provider: "openai").allowed }
        let denied = gate.check(agent: "a1", provider: "openai")
        #expect(denied.kind == .denied && denied.cached)
        #expect(denied.scope == "agent:a1" && denied.reason == "daily_budget_90pct" && denied.retryAtMs == 1_900_000_000_000)
        #expect(gate.check(agent: "a2", provider: "openai").allowed, "another agent is not affected")

        var overridden = open
        overridden.overrideUntilMs = AgentGate.unixMilliseconds() + 60_000
        overridden.version = 2
        try Self.write(redis, scope: "agent:a1", overridden)
        try await waitUntil("the override reached the cache") { gate.check(agent: "a1", provider: "openai").allowed }
        #expect(gate.check(agent: "a1", provider: "openai").kind == .allowedByOverride)
        try redis.command(["FLUSHDB"])
    }

    @Test func halfOpenProbesAreTakenAtomicallyInRedis() throws {
        let redis = try RedisConnection(config: try RedisConfig(url: try Self.url()))
        defer { redis.close() }
        try redis.command(["FLUSHDB"])
        var half = BreakerState.closed
        half.phase = .halfOpen
        half.reason = "cost_spike"
        half.retryAtMs = AgentGate.unixMilliseconds() + 60_000
        half.probesLeft = 2
        half.version = 3
        try Self.write(redis, scope: "provider:openai", half)
        let gate = try AgentGate(redisURL: try Self.url(), failureMode: .failClosed)
        let answers = (0..<4).map { _ in gate.check(agent: "a1", provider: "openai").kind }
        #expect(answers == [.allowedAsProbe, .allowedAsProbe, .denied, .denied])
        #expect(try redis.command(["HGET", "cost:breaker:provider:openai", "probes_left"]).int == 0)
        try redis.command(["FLUSHDB"])
    }

    @Test func unreachableRedisAnswersAsConfigured() throws {
        let url = "redis://:secret@127.0.0.1:\(RedisTestSupport.closedLocalPort())/0"
        let closed = try AgentGate(redisURL: url, failureMode: .failClosed).check(agent: "a", provider: "openai")
        #expect(closed.kind == .failedClosed && !closed.allowed)
        #expect(!(closed.reason ?? "").contains("secret"), "no password in the reason")
        let open = try AgentGate(redisURL: url, failureMode: .failOpen).check(agent: "a", provider: "openai")
        #expect(open.kind == .failedOpen && open.allowed)
    }
}
