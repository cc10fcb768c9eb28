import AgentSDK
import CostCore
import Foundation
import RedisClient
import Testing

/// The agent gate (`AgentGate`) across a Redis crash: killed with -9, then started again with
/// `ops/servers up`, as an operator would (Redis database 11).
@Suite("Agent gate across a Redis crash", .serialized, .timeLimit(.minutes(3)))
struct AgentGateRestartTests {
    static func write(_ redis: RedisConnection, scope: String, _ state: BreakerState) throws {
        var payload: [(String, JSONValue)] = [("scope", .string(scope))]
        for (k, v) in state.redisFields { payload.append((k, .string(v))) }
        _ = try redis.pipeline([["HSET", "cost:breaker:" + scope] + state.redisFields.flatMap { [$0.0, $0.1] },
                                ["PUBLISH", "cost:breaker:events", JSONValue.object(payload).serialized()]])
    }

    static func open(_ reason: String, version: Int64) -> BreakerState {
        var state = BreakerState.closed
        state.phase = .open
        state.reason = reason
        state.retryAtMs = 1_900_000_000_000
        state.version = version
        return state
    }

    @Test("killed with -9: the gate answers as configured (closed denies, open allows) and survives; once Redis is back it resyncs, the breaker written before the crash still denies, and a change made after it reaches the cache")
    func redisKilledAndStartedAgain() async throws {
        let url = try BudgetRedis.replacingDatabase(in: try IntegrationEnvironment.required("COST_REDIS_URL"), with: 11)
        defer { RedisServerControl.ensureRunning(url: url) }
        var redis = try RedisConnection(config: try RedisConfig(url: url))
        try redis.command(["FLUSHDB"])
        let suffix = IntegrationEnvironment.uniqueSuffix()
        let tripped = "gate-tripped-\(suffix)", calm = "gate-calm-\(suffix)"

        let closedGate = try AgentGate(redisURL: url, failureMode: .failClosed)
        let openGate = try AgentGate(redisURL: url, failureMode: .failOpen)
        for gate in [closedGate, openGate] { gate.start() }
        defer { for gate in [closedGate, openGate] { gate.stop() } }
        try await Waiting.until("both gates subscribed", timeout: .seconds(10)) {
            (closedGate.isLive && openGate.isLive, "live: \(closedGate.isLive), \(openGate.isLive)")
        }
        try Self.write(redis, scope: "agent:" + tripped, Self.open("daily_budget_90pct", version: 1))
        try await Waiting.until("the trip reached both caches", timeout: .seconds(10)) {
            let answers = [closedGate, openGate].map { $0.check(agent: tripped, provider: "openai") }
            return (answers.allSatisfy { $0.kind == .denied && $0.cached }, "\(answers.map(\.kind))")
        }
        #expect(closedGate.check(agent: calm, provider: "openai").allowed)

        // The crash. The subscriber sees its connection drop; every answer then needs Redis.
        try RedisServerControl.kill9()
        redis.close()
        try await Waiting.until("Redis gone", timeout: .seconds(10)) {
            (!RedisServerControl.isRunning(url: url), "still answering")
        }
        try await Waiting.until("both gates to notice and answer by their failure mode", timeout: .seconds(15)) {
            let closed = closedGate.check(agent: calm, provider: "openai")
            let open = openGate.check(agent: calm, provider: "openai")
            return (closed.kind == .failedClosed && open.kind == .failedOpen, "\(closed.kind), \(open.kind)")
        }
        #expect(!closedGate.isLive && !openGate.isLive, "no cached answers while the subscription is down")
        // The tripped agent too: no stale cached answer stands in for Redis while it is away.
        #expect(closedGate.check(agent: tripped, provider: "openai").kind == .failedClosed)
        #expect(openGate.check(agent: tripped, provider: "openai").kind == .failedOpen)
        try await Task.sleep(for: .seconds(2))  // the subscribers keep retrying meanwhile
        #expect(closedGate.check(agent: calm, provider: "openai").kind == .failedClosed)

        let start = try RedisServerControl.start()
        try #require(start.status == 0, "ops/servers up failed: \(start.combined)")
        try await Waiting.until("both gates live again", timeout: .seconds(30)) {
            (closedGate.isLive && openGate.isLive, "live: \(closedGate.isLive), \(openGate.isLive)")
        }
        // Written (and synced) before the crash, so still there: the gates read it again.
        for gate in [closedGate, openGate] {
            let answer = gate.check(agent: tripped, provider: "openai")
            #expect(answer.kind == .denied && answer.scope == "agent:\(tripped)" && answer.reason == "daily_budget_90pct",
                    "\(answer)")
            #expect(gate.check(agent: calm, provider: "openai").kind == .allowed)
        }
        // A change after the restart reaches the caches through the new subscription.
        redis = try RedisConnection(config: try RedisConfig(url: url))
        defer { redis.close() }
        try Self.write(redis, scope: "agent:" + calm, Self.open("cost_spike", version: 1))
        try await Waiting.until("the new trip reached both caches", timeout: .seconds(10)) {
            let answers = [closedGate, openGate].map { $0.check(agent: calm, provider: "openai") }
            return (answers.allSatisfy { $0.kind == .denied && $0.cached && $0.reason == "cost_spike" },
                    "\(answers.map { "\($0.kind) cached=\($0.cached)" })")
        }
        try redis.command(["FLUSHDB"])
    }
}
