@testable import AnomalyKit
import CostCore
import Foundation
import Logging
import RedisClient
import Synchronization
import Testing

/// The anomaly worker's cache of the agent states it wrote (`AgentStateCache`), against the
/// real Redis (database 9).
@Suite("Anomaly agent-state cache", .serialized)
struct AgentStateCacheTests {
    /// A two-day scenario's events with their prices, and the pure scorer's assessment of each
    /// (state kept in memory, events in order).
    static func pricedScenario(seed: UInt64, agents count: Int)
        -> (items: [(event: UsageEvent, cost: CostBreakdown)], expected: [RiskAssessment]) {
        let scenario = AnomalyScenario.generate(.init(seed: seed, agents: count, days: 2, episodesPerAttack: 1))
        let items = scenario.events.map { (event: $0.event, cost: CostCalculator.price($0.event, catalog: scenario.catalog)) }
        var agents: [String: AgentRiskState] = [:]
        var sessions: [String: SessionRiskState] = [:]
        let expected = items.map {
            RiskScorer.score($0.event, cost: $0.cost, agent: &agents[$0.event.agentID, default: AgentRiskState()],
                             session: &sessions[$0.event.sessionID, default: SessionRiskState()])
        }
        return (items, expected)
    }

    @Test("two loops sharing the cache score exactly as the pure scorer, also when another worker writes in between")
    func sameScores() throws {
        let redis = try BudgetRedis(database: 9)
        defer {
            try? redis.flush()
            redis.close()
        }
        let (items, expected) = Self.pricedScenario(seed: 5, agents: 6)

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

    @Test("a batch's agents scored on two threads give exactly the pure scorer's results, replays and damaged states included")
    func parallelScoring() throws {
        let redis = try BudgetRedis(database: 9)
        defer {
            try? redis.flush()
            redis.close()
        }
        let (items, expected) = Self.pricedScenario(seed: 9, agents: 40)
        let connection = try RedisConnection(config: try RedisConfig(url: redis.url))
        defer { connection.close() }
        // Every batch of 400 spans all 40 agents; from 2 agents on, they are scored on two threads.
        let scorer = SharedRiskScorer(redis: connection, logger: Logger(label: "parallel-test"), cache: AgentStateCache(),
                                      turns: nil, parallelAgents: 2)
        var got: [RiskAssessment] = []
        var replayed = 0
        var batchesOverAgents = 0
        for start in stride(from: 0, to: items.count, by: 400) {
            let batch = Array(items[start..<min(start + 400, items.count)])
            if Set(batch.map(\.event.agentID)).count >= 2 { batchesOverAgents += 1 }
            // Each batch is sent twice: the second time every event is a replay of the first.
            let first = try scorer.score(batch)
            let again = try scorer.score(batch)
            got += first.map(\.assessment)
            // A replay gives the stored outcome: the score and level (in full only from MEDIUM on).
            let differingReplays = zip(again, first).filter {
                $0.assessment.score != $1.assessment.score || $0.assessment.level != $1.assessment.level
            }.count
            #expect(differingReplays == 0)
            replayed += again.filter(\.replayed).count
            #expect(first.allSatisfy { !$0.replayed })
        }
        #expect(batchesOverAgents > 20, "the batches must span agents to exercise the two threads")
        #expect(got.count == expected.count)
        #expect(zip(got, expected).filter { $0 != $1 }.count == 0, "scores differing from the pure scorer's")
        #expect(replayed == items.count)
        #expect(scorer.conflicts == 0)
        // A damaged state is replaced by a fresh one and counted, also on the threads.
        let agentIDs = Array(Set(items.map(\.event.agentID))).sorted()
        for agent in agentIDs.prefix(3) {
            _ = try connection.command(["HSET", RiskStateKeys.agent(agent), "s", "not a state"])
        }
        let stamp = Int(Date().timeIntervalSince1970 * 1000)
        let fresh = agentIDs.map { agent in
            var event = items.first { $0.event.agentID == agent }!
            event.event.eventID = "parallel-\(stamp)-\(agent)"
            return event
        }
        let scored = try scorer.score(fresh)
        #expect(scored.allSatisfy { !$0.replayed })
        #expect(scorer.damagedStates == 3)
    }

    @Test("two loops scoring the same agents at once take turns: no compare-and-set conflict between them, each event counted once")
    func loopsTakeTurns() throws {
        let redis = try BudgetRedis(database: 9)
        defer {
            try? redis.flush()
            redis.close()
        }
        let items = Self.pricedScenario(seed: 7, agents: 8).items
        // Batches of 40 dealt to the two loops in turn: every batch holds most of the 8 agents.
        let batches = stride(from: 0, to: items.count, by: 40).map { Array(items[$0..<min($0 + 40, items.count)]) }
        let turns = AgentTurns()
        let logger = Logger(label: "turns-test")
        let connections = try (0..<2).map { _ in try RedisConnection(config: try RedisConfig(url: redis.url)) }
        defer { for connection in connections { connection.close() } }
        let scorers = connections.map { SharedRiskScorer(redis: $0, logger: logger, cache: AgentStateCache(), turns: turns) }
        let failures = Mutex<[String]>([])
        let done = DispatchGroup()
        /// One loop's scorer, used by its thread alone.
        final class Loop: @unchecked Sendable {
            let scorer: SharedRiskScorer
            init(_ scorer: SharedRiskScorer) { self.scorer = scorer }
        }
        for (index, loop) in scorers.map(Loop.init).enumerated() {
            done.enter()
            Thread {
                defer { done.leave() }
                for batch in batches.indices where batch % 2 == index {
                    do { _ = try loop.scorer.score(batches[batch]) } catch { failures.withLock { $0.append("\(error)") } }
                }
            }.start()
        }
        #expect(done.wait(timeout: .now() + 60) == .success, "the loops did not finish within 60 s")
        #expect(failures.withLock { $0 }.isEmpty)
        #expect(scorers[0].conflicts + scorers[1].conflicts == 0, "conflicts: \(scorers[0].conflicts), \(scorers[1].conflicts)")
        #expect(turns.waited > 0, "the loops never overlapped, so the test proved nothing")
        for (agent, count) in Dictionary(grouping: items, by: \.event.agentID).mapValues(\.count) {
            let reply = try connections[0].command(["HMGET", RiskStateKeys.agent(agent), "s"])
            guard case .array(let fields) = reply, case .bulk(let bytes)? = fields.first else {
                Issue.record("agent \(agent) has no state")
                continue
            }
            #expect(try AgentRiskState(decoding: bytes).eventsSeen == Int64(count), "agent \(agent)")
        }
    }

    @Test("a turn is given back when its body throws, and agents in no other turn do not wait")
    func turnsAreReleased() throws {
        struct Failure: Error {}
        let turns = AgentTurns()
        #expect(throws: Failure.self) { try turns.take(["a", "b"]) { throw Failure() } }
        // Would wait forever if "a" had stayed taken.
        #expect(turns.take(["a"]) { 1 } == 1)
        // While one thread holds "a", another takes "b" at once.
        let holding = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        Thread { turns.take(["a"]) { holding.signal(); release.wait() } }.start()
        holding.wait()
        #expect(turns.take(["b"]) { 2 } == 2)
        release.signal()
        #expect(turns.take(["a"]) { 3 } == 3)
        #expect(turns.waited <= 1)
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
