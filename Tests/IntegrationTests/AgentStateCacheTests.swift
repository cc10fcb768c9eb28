@testable import AnomalyKit
import CostCore
import Logging
import RedisClient
import Testing

/// The anomaly worker's cache of the agent states it wrote (`AgentStateCache`), against the
/// real Redis (database 9).
@Suite("Anomaly agent-state cache", .serialized)
struct AgentStateCacheTests {
    @Test("two loops sharing the cache score exactly as the pure scorer, also when another worker writes in between")
    func sameScores() throws {
        let redis = try BudgetRedis(database: 9)
        defer {
            try? redis.flush()
            redis.close()
        }
        let scenario = AnomalyScenario.generate(.init(seed: 5, agents: 6, days: 2, episodesPerAttack: 1))
        let items = scenario.events.map { (event: $0.event, cost: CostCalculator.price($0.event, catalog: scenario.catalog)) }
        var agents: [String: AgentRiskState] = [:]
        var sessions: [String: SessionRiskState] = [:]
        let expected = items.map {
            RiskScorer.score($0.event, cost: $0.cost, agent: &agents[$0.event.agentID, default: AgentRiskState()],
                             session: &sessions[$0.event.sessionID, default: SessionRiskState()])
        }

        let cache = AgentStateCache()
        let logger = Logger(label: "cache-test")
        let connections = try (0..<3).map { _ in try RedisConnection(config: try RedisConfig(url: redis.url)) }
        defer { for connection in connections { connection.close() } }
        let loops = [SharedRiskScorer(redis: connections[0], logger: logger, cache: cache),
                     SharedRiskScorer(redis: connections[1], logger: logger, cache: cache)]
        let otherProcess = SharedRiskScorer(redis: connections[2], logger: logger, cache: nil)
        var got: [RiskAssessment] = []
        var batches = 0
        for start in stride(from: 0, to: items.count, by: 50) {
            let batch = Array(items[start..<min(start + 50, items.count)])
            let scorer = batches % 7 == 6 ? otherProcess : loops[batches % 2]
            got += try scorer.score(batch).map(\.assessment)
            batches += 1
        }
        #expect(batches > 30)
        #expect(got.count == expected.count)
        let differing = zip(got, expected).filter { $0 != $1 }.count
        #expect(differing == 0)
        let counts = cache.counts
        // Most reads find the state the other loop just wrote; those after the other
        // process's batches (and first sight of an agent: no state yet, no lookup) decode.
        #expect(counts.hits > 3 * counts.misses, "\(counts)")
        #expect(counts.misses > 0, "\(counts)")
        #expect(cache.count == 6)
    }

    @Test("a hit needs the exact bytes; the cache starts over at its capacity")
    func exactBytesAndCapacity() {
        let cache = AgentStateCache(capacity: 2)
        let state = AgentRiskState()
        let bytes = state.encoded()
        cache.keep(state, bytes: bytes, of: "agent-a")
        #expect(cache.state(of: "agent-a", matching: bytes) == state)
        var changed = bytes
        changed[changed.count / 2] ^= 1
        #expect(cache.state(of: "agent-a", matching: changed) == nil)
        #expect(cache.state(of: "agent-a", matching: Array(bytes.dropLast())) == nil)
        #expect(cache.state(of: "agent-b", matching: bytes) == nil)
        #expect(cache.counts.hits == 1 && cache.counts.misses == 3)
        cache.keep(state, bytes: bytes, of: "agent-b")
        cache.keep(state, bytes: bytes, of: "agent-c")
        #expect(cache.count == 1)
        cache.keep(state, bytes: bytes, of: "agent-c")
        #expect(cache.count == 1)
    }
}
