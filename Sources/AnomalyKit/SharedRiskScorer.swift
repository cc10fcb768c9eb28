import CostCore
import Logging
import RedisClient
import WorkerRuntime

/// One usage event with its price and risk.
public struct ScoredEvent: Sendable {
    public let event: UsageEvent
    public let cost: CostBreakdown
    public let assessment: RiskAssessment
    /// True when the event had been scored before (a redelivery, a second copy, another
    /// worker): `assessment` is the stored one and no state moved.
    public let replayed: Bool
}

/// Thrown when the compare-and-set keeps losing (retried with the whole batch).
public struct AnomalyError: RetriableError, CustomStringConvertible {
    public let description: String
    public var isRetriable: Bool { true }
}

/// Scores a batch against the agent states shared in Redis. Per agent: one pipelined read
/// (state and version, session states, the events' seen markers), scoring in `occurred_at`
/// order in memory, then one compare-and-set that writes the new state with the sessions and
/// the seen markers. An agent whose version moved meanwhile (another worker) is read and
/// scored again, so every event moves an agent's state exactly once, whichever worker gets it.
public final class SharedRiskScorer {
    private let redis: RedisConnection
    private let config: RiskConfig
    private let logger: Logger
    private let maxAttempts: Int
    /// Compare-and-set conflicts and damaged states met so far (for metrics).
    public private(set) var conflicts = 0
    public private(set) var damagedStates = 0

    public init(redis: RedisConnection, config: RiskConfig = RiskConfig(), logger: Logger, maxAttempts: Int = 25) {
        self.redis = redis
        self.config = config
        self.logger = logger
        self.maxAttempts = maxAttempts
    }

    /// Results in the order of `items`.
    public func score(_ items: [(event: UsageEvent, cost: CostBreakdown)]) throws -> [ScoredEvent] {
        var byAgent: [String: [Int]] = [:]
        var agentOrder: [String] = []
        for (index, item) in items.enumerated() {
            if byAgent[item.event.agentID] == nil { agentOrder.append(item.event.agentID) }
            byAgent[item.event.agentID, default: []].append(index)
        }
        var results = [ScoredEvent?](repeating: nil, count: items.count)
        var pending = agentOrder.map { agent in
            byAgent[agent]!.sorted { (items[$0].event.occurredAt, $0) < (items[$1].event.occurredAt, $1) }
        }
        let sessionKeys = items.map { RiskStateKeys.session(agentID: $0.event.agentID, sessionID: $0.event.sessionID) }
        for attempt in 1...maxAttempts {
            let lost = try attemptOnce(pending, items: items, sessionKeys: sessionKeys, results: &results)
            if lost.isEmpty { return results.map { $0! } }
            conflicts += lost.count
            pending = lost
            if attempt >= 3 { SystemClock.sleep(.milliseconds(min(attempt, 20))) }
        }
        throw AnomalyError(description: "agent state kept changing under this worker (\(pending.count) agents, "
            + "\(maxAttempts) attempts); retrying the batch")
    }

    /// One read-score-write round for the agents in `groups` (each a list of item indices of
    /// one agent, in occurred_at order). Returns the groups whose compare-and-set lost.
    private func attemptOnce(_ groups: [[Int]], items: [(event: UsageEvent, cost: CostBreakdown)], sessionKeys itemSessionKeys: [String],
                             results: inout [ScoredEvent?]) throws -> [[Int]] {
        // 1. Read.
        var commands: [[String]] = []
        var sessionKeys: [[String]] = []
        for group in groups {
            let agent = items[group[0]].event.agentID
            commands.append(["HMGET", RiskStateKeys.agent(agent), "v", "s"])
            var keys: [String] = []
            for index in group where !keys.contains(itemSessionKeys[index]) { keys.append(itemSessionKeys[index]) }
            sessionKeys.append(keys)
            commands += keys.map { ["GET", $0] }
            commands += group.map { ["GET", RiskStateKeys.seen(eventID: items[$0].event.eventID)] }
        }
        let replies = try redis.pipeline(commands)
        var cursor = 0
        func next() -> RedisReply {
            defer { cursor += 1 }
            return replies[cursor]
        }

        // 2. Score.
        var calls: [(keys: [String], args: [[UInt8]])] = []
        var callGroups: [[Int]] = []
        var scoredNow: [[(Int, ScoredEvent)]] = []
        for (groupIndex, group) in groups.enumerated() {
            let agentID = items[group[0]].event.agentID
            let (version, stateBytes) = Self.versionAndState(next())
            var stored: AgentRiskState?
            if let stateBytes {
                do { stored = try AgentRiskState(decoding: stateBytes) } catch {
                    damagedStates += 1
                    logger.warning("damaged risk state; starting the agent afresh", metadata: [
                        "agent": "\(agentID)", "error": "\(error)"])
                }
            }
            var agent = stored ?? AgentRiskState()  // a fresh state only when there is none (it is ~8 KB to build)
            var sessions: [String: SessionRiskState] = [:]
            for key in sessionKeys[groupIndex] {
                if case .bulk(let bytes) = next(), let state = try? SessionRiskState(decoding: bytes) { sessions[key] = state }
            }
            var outcomes: [(key: String, outcome: [UInt8])] = []
            var done: [(Int, ScoredEvent)] = []
            var scoredIDs: [String: RiskAssessment] = [:]
            for index in group {
                let (event, cost) = items[index]
                let seen: RiskAssessment? = if case .bulk(let bytes) = next() { RiskOutcome.decode(bytes) } else { nil }
                if let previous = seen ?? scoredIDs[event.eventID] {
                    done.append((index, ScoredEvent(event: event, cost: cost, assessment: previous, replayed: true)))
                    continue
                }
                let sessionKey = itemSessionKeys[index]
                let assessment = RiskScorer.score(
                    event, cost: cost, agent: &agent, session: &sessions[sessionKey, default: SessionRiskState()], config: config)
                scoredIDs[event.eventID] = assessment
                outcomes.append((RiskStateKeys.seen(eventID: event.eventID), RiskOutcome.encode(assessment)))
                done.append((index, ScoredEvent(event: event, cost: cost, assessment: assessment, replayed: false)))
            }
            if outcomes.isEmpty {
                for (index, scored) in done { results[index] = scored }
                continue
            }
            calls.append(RiskCommitScript.call(
                agentKey: RiskStateKeys.agent(agentID), version: version, state: agent.encoded(),
                sessions: sessions.sorted { $0.key < $1.key }.map { ($0.key, $0.value.encoded()) }, seen: outcomes))
            callGroups.append(group)
            scoredNow.append(done)
        }

        // 3. Compare-and-set.
        var lost: [[Int]] = []
        for (offset, reply) in try redis.evalMany(RiskCommitScript.script, binaryCalls: calls).enumerated() {
            if let message = reply.errorMessage {
                throw RedisError(kind: .server, message: "risk state script failed: \(message)")
            }
            if reply.int == 1 {
                for (index, scored) in scoredNow[offset] { results[index] = scored }
            } else {
                lost.append(callGroups[offset])
            }
        }
        return lost
    }

    /// The version (0 when the agent has no state) and state bytes of an HMGET v s reply.
    public static func versionAndState(_ reply: RedisReply) -> (Int64, [UInt8]?) {
        guard case .array(let fields) = reply, fields.count == 2 else { return (0, nil) }
        let version = fields[0].int ?? 0
        if case .bulk(let bytes) = fields[1] { return (version, bytes) }
        return (version, nil)
    }
}
