import CostCore
import Dispatch
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
/// the seen markers (a large batch's compare-and-sets go out in parts while the rest of it is
/// scored, `PipelinedEvals`). An agent whose version moved meanwhile (another worker) is read and
/// scored again, so every event moves an agent's state exactly once, whichever worker gets it.
/// The loops of one process take turns at an agent (`AgentTurns`) from the read to the
/// compare-and-set, so only other processes can make them lose one.
public final class SharedRiskScorer {
    private let redis: RedisConnection
    private let config: RiskConfig
    private let logger: Logger
    private let maxAttempts: Int
    private let cache: AgentStateCache?
    private let turns: AgentTurns?
    private let parallelAgents: Int
    private let writeParts: Int
    /// Compare-and-set conflicts and damaged states met so far (for metrics).
    public private(set) var conflicts = 0
    public private(set) var damagedStates = 0

    /// `cache`: the states this process wrote, taken instead of decoding when read back
    /// unchanged (nil: always decode).
    /// `turns`: the loops of this process score an agent one at a time (nil: no turns, a
    /// conflict between loops is resolved by the compare-and-set alone).
    /// `parallelAgents`: batches with at least this many agents are scored on two threads, in
    /// `writeParts` parts whose compare-and-sets are sent while the next part is scored.
    public init(redis: RedisConnection, config: RiskConfig = RiskConfig(), logger: Logger, maxAttempts: Int = 25,
                cache: AgentStateCache? = .shared, turns: AgentTurns? = .shared, parallelAgents: Int = 32,
                writeParts: Int = 4) {
        self.writeParts = max(1, writeParts)
        self.cache = cache
        self.parallelAgents = parallelAgents
        self.turns = turns
        self.redis = redis
        self.config = config
        self.logger = logger
        self.maxAttempts = maxAttempts
    }

    /// Results in the order of `items`.
    public func score(_ items: [(event: UsageEvent, cost: CostBreakdown)]) throws -> [ScoredEvent] {
        // Through a buffer pointer: reading a field of `items[index]` copies the whole (event,
        // cost) element first (every string of it retained), while `buffer[index].event.agentID`
        // reads the field in place.
        try items.withUnsafeBufferPointer { try score(batch: $0) }
    }

    private func score(batch items: UnsafeBufferPointer<(event: UsageEvent, cost: CostBreakdown)>) throws -> [ScoredEvent] {
        // Grouping, ordering and keys first, outside the agents' turn.
        var groupOfAgent: [String: Int] = [:]
        var groups: [[Int]] = []
        for index in items.indices {
            let agentID = items[index].event.agentID
            if let group = groupOfAgent[agentID] {
                groups[group].append(index)
            } else {
                groupOfAgent[agentID] = groups.count
                groups.append([index])
            }
        }
        let pending = groups.map { group in
            group.sorted { (items[$0].event.occurredAt, $0) < (items[$1].event.occurredAt, $1) }
        }
        var sessionKeys: [[UInt8]] = []
        var seenKeys: [[UInt8]] = []
        sessionKeys.reserveCapacity(items.count)
        seenKeys.reserveCapacity(items.count)
        for index in items.indices {
            sessionKeys.append(RiskStateKeys.sessionBytes(agentID: items[index].event.agentID,
                                                          sessionID: items[index].event.sessionID))
            seenKeys.append(RiskStateKeys.seenBytes(eventID: items[index].event.eventID))
        }
        // Per item: its assessment once known, and whether it was scored here or before.
        var results = Results(count: items.count)
        if let turns {
            // `groupOfAgent`'s keys are the batch's distinct agents.
            try turns.take(Array(groupOfAgent.keys)) {
                try settle(pending, items: items, sessionKeys: sessionKeys, seenKeys: seenKeys, results: &results)
            }
        } else {
            try settle(pending, items: items, sessionKeys: sessionKeys, seenKeys: seenKeys, results: &results)
        }
        var scored: [ScoredEvent] = []
        scored.reserveCapacity(items.count)
        for index in items.indices {
            precondition(results.state[index] != Results.pending, "an item was left unscored")
            scored.append(ScoredEvent(event: items[index].event, cost: items[index].cost,
                                      assessment: results.assessments[index],
                                      replayed: results.state[index] == Results.replayed))
        }
        return scored
    }

    /// Read-score-write rounds until every agent's compare-and-set went through.
    private func settle(_ groups: [[Int]], items: UnsafeBufferPointer<(event: UsageEvent, cost: CostBreakdown)>,
                        sessionKeys: [[UInt8]], seenKeys: [[UInt8]], results: inout Results) throws {
        var pending = groups
        for attempt in 1...maxAttempts {
            let lost = try attemptOnce(pending, items: items, sessionKeys: sessionKeys, seenKeys: seenKeys, results: &results)
            if lost.isEmpty { return }
            conflicts += lost.count
            pending = lost
            if attempt >= 3 { SystemClock.sleep(.milliseconds(min(attempt, 20))) }
        }
        throw AnomalyError(description: "agent state kept changing under this worker (\(pending.count) agents, "
            + "\(maxAttempts) attempts); retrying the batch")
    }

    /// The batch's assessments by item (no optionals: copying a `RiskAssessment?` goes
    /// through the runtime's value witnesses). An item's assessment is written where it is
    /// scored (or found seen) and counts once its agent's compare-and-set succeeds (`state`);
    /// an agent that lost is scored again, overwriting it.
    private struct Results {
        static let pending: UInt8 = 0, scored: UInt8 = 1, replayed: UInt8 = 2
        var assessments: [RiskAssessment]
        /// Per item: pending, or committed as scored here or replayed.
        var state: [UInt8]
        /// Per item, until its agent commits: whether it was replayed (scored before).
        var replayedHere: [Bool]

        init(count: Int) {
            assessments = Array(repeating: RiskAssessment(
                score: 0, level: .low, confidence: 0, factors: RiskFactors(), costMismatch: false, reasons: [],
                breakerSignal: nil), count: count)
            state = Array(repeating: Self.pending, count: count)
            replayedHere = Array(repeating: false, count: count)
        }

        /// Counts the items of a committed agent (or of one with nothing to write).
        mutating func commit(_ group: [Int]) {
            for index in group { state[index] = replayedHere[index] ? Self.replayed : Self.scored }
        }
    }

    private static let hmget: [UInt8] = Array("HMGET".utf8)
    private static let get: [UInt8] = Array("GET".utf8)
    private static let versionField: [UInt8] = [UInt8(ascii: "v")]
    private static let stateField: [UInt8] = [UInt8(ascii: "s")]

    /// One read-score-write round for the agents in `groups` (each a list of item indices of
    /// one agent, in occurred_at order). Returns the groups whose compare-and-set lost.
    private func attemptOnce(_ groups: [[Int]], items: UnsafeBufferPointer<(event: UsageEvent, cost: CostBreakdown)>,
                             sessionKeys itemSessionKeys: [[UInt8]],
                             seenKeys: [[UInt8]], results: inout Results) throws -> [[Int]] {
        // 1. Read. A group's distinct session keys are numbered in order of first use: per
        // item, `sessionSlot` is its key's number in its group.
        var commands: [[[UInt8]]] = []
        commands.reserveCapacity(2 * groups.count + items.count)
        var sessionKeys: [[[UInt8]]] = []
        sessionKeys.reserveCapacity(groups.count)
        var sessionSlot = [Int](repeating: 0, count: items.count)
        var agentKeys: [[UInt8]] = []
        agentKeys.reserveCapacity(groups.count)
        var replyStart: [Int] = []  // per group: where its replies begin
        replyStart.reserveCapacity(groups.count)
        for group in groups {
            replyStart.append(commands.count)
            let agentKey = RiskStateKeys.agentBytes(items[group[0]].event.agentID)
            agentKeys.append(agentKey)
            commands.append([Self.hmget, agentKey, Self.versionField, Self.stateField])
            var keys: [[UInt8]] = []
            for index in group {
                if let slot = keys.firstIndex(of: itemSessionKeys[index]) {
                    sessionSlot[index] = slot
                } else {
                    sessionSlot[index] = keys.count
                    keys.append(itemSessionKeys[index])
                }
            }
            for key in keys { commands.append([Self.get, key]) }
            sessionKeys.append(keys)
            for index in group { commands.append([Self.get, seenKeys[index]]) }
        }
        let replies = try redis.pipeline(bytes: commands)

        // 2. Score, and 3. compare-and-set. Agents are independent, so a large batch's agents
        // are scored on two threads: while this loop holds the agents' turn (`AgentTurns`), the
        // process's other loop has little to do, and the turn is what bounds the worker's rate.
        // Each group writes only its own items' results and its own slot of `outcomes`. The
        // groups are scored in parts, and each part's compare-and-sets are written to Redis
        // before the next part is scored, so Redis applies them (and syncs them to disk) while
        // the rest is scored; the replies are read once all are sent.
        var outcomes = [GroupOutcome](repeating: GroupOutcome(), count: groups.count)
        let threads = groups.count >= parallelAgents ? 2 : 1
        let parts = threads == 1 ? 1 : min(writeParts, groups.count)
        let writes = try redis.pipelinedEvals(RiskCommitScript.script)
        var callGroups: [[Int]] = []
        var written: [(agentID: String, bytes: [UInt8], state: AgentRiskState)] = []
        for part in 0..<parts {
            let range = (part * groups.count / parts)..<((part + 1) * groups.count / parts)
            results.assessments.withUnsafeMutableBufferPointer { assessments in
                results.replayedHere.withUnsafeMutableBufferPointer { replayedHere in
                    outcomes.withUnsafeMutableBufferPointer { outcomes in
                        let shared = GroupScoring(
                            items: items, replies: replies, replyStart: replyStart, sessionKeys: sessionKeys,
                            sessionSlot: sessionSlot, agentKeys: agentKeys, seenKeys: seenKeys,
                            assessments: assessments, replayedHere: replayedHere, outcomes: outcomes, config: config, cache: cache)
                        DispatchQueue.concurrentPerform(iterations: threads) { thread in
                            for groupIndex in stride(from: range.lowerBound + thread, to: range.upperBound, by: threads) {
                                Self.scoreGroup(groupIndex, groups[groupIndex], shared)
                            }
                        }
                    }
                }
            }
            var calls: [(keys: [[UInt8]], args: [[UInt8]])] = []
            calls.reserveCapacity(range.count)
            for groupIndex in range {
                if let error = outcomes[groupIndex].damaged {
                    damagedStates += 1
                    logger.warning("damaged risk state; starting the agent afresh", metadata: [
                        "agent": "\(items[groups[groupIndex][0]].event.agentID)", "error": "\(error)"])
                }
                guard let write = outcomes[groupIndex].write else {
                    results.commit(groups[groupIndex])  // nothing to write: all seen before
                    continue
                }
                calls.append(write.call)
                callGroups.append(groups[groupIndex])
                if cache != nil { written.append((items[groups[groupIndex][0]].event.agentID, write.bytes, write.state)) }
            }
            try writes.send(calls)
        }

        var lost: [[Int]] = []
        for (offset, reply) in try writes.finish().enumerated() {
            if let message = reply.errorMessage {
                throw RedisError(kind: .server, message: "risk state script failed: \(message)")
            }
            if reply.int == 1 {
                results.commit(callGroups[offset])
                if let cache { cache.keep(written[offset].state, bytes: written[offset].bytes, of: written[offset].agentID) }
            } else {
                lost.append(callGroups[offset])
            }
        }
        return lost
    }

    /// A group's compare-and-set and the state it writes.
    private struct GroupWrite {
        var call: (keys: [[UInt8]], args: [[UInt8]])
        var bytes: [UInt8]
        var state: AgentRiskState
    }

    /// What scoring a group left: its write (none when every item had been scored before) and,
    /// when its stored state was unreadable, why.
    private struct GroupOutcome {
        var write: GroupWrite?
        var damaged: String?
    }

    /// What scoring a group reads and where it writes: the batch's items and replies, and per
    /// item or per group the slots it alone owns (`@unchecked Sendable`: groups touch disjoint
    /// slots, and the buffers outlive `DispatchQueue.concurrentPerform`).
    private struct GroupScoring: @unchecked Sendable {
        let items: UnsafeBufferPointer<(event: UsageEvent, cost: CostBreakdown)>
        let replies: [RedisReply]
        let replyStart: [Int]
        let sessionKeys: [[[UInt8]]]
        let sessionSlot: [Int]
        let agentKeys: [[UInt8]]
        let seenKeys: [[UInt8]]
        let assessments: UnsafeMutableBufferPointer<RiskAssessment>
        let replayedHere: UnsafeMutableBufferPointer<Bool>
        let outcomes: UnsafeMutableBufferPointer<GroupOutcome>
        let config: RiskConfig
        let cache: AgentStateCache?
    }

    /// Scores one agent's items on the state read for it, in occurred_at order, and plans its
    /// compare-and-set (none when every item had been scored before).
    private static func scoreGroup(_ groupIndex: Int, _ group: [Int], _ shared: GroupScoring) {
        let items = shared.items
        var cursor = shared.replyStart[groupIndex]
        func next() -> RedisReply {
            defer { cursor += 1 }
            return shared.replies[cursor]
        }
        let (version, stateBytes) = Self.versionAndState(next())
        var agent = loadAgent(stateBytes, agentID: items[group[0]].event.agentID, cache: shared.cache,
                              damaged: &shared.outcomes[groupIndex].damaged)
        // By slot: nil for a session neither stored (readably) nor scored yet.
        let keys = shared.sessionKeys[groupIndex]
        var sessions: [SessionRiskState?] = []
        sessions.reserveCapacity(keys.count)
        for _ in keys {
            if case .bulk(let bytes) = next(), let state = try? SessionRiskState(decoding: bytes) {
                sessions.append(state)
            } else {
                sessions.append(nil)
            }
        }
        var outcomes: [(key: [UInt8], outcome: [UInt8])] = []
        // Items of this group scored in this round (a second copy in the batch is replayed).
        var scoredHere: [Int] = []
        for index in group {
            if case .bulk(let bytes) = next(), let previous = RiskOutcome.decode(bytes) {
                shared.assessments[index] = previous
                shared.replayedHere[index] = true
                continue
            }
            if let first = scoredHere.first(where: { items[$0].event.eventID == items[index].event.eventID }) {
                shared.assessments[index] = shared.assessments[first]
                shared.replayedHere[index] = true
                continue
            }
            let slot = shared.sessionSlot[index]
            if sessions[slot] == nil { sessions[slot] = SessionRiskState() }
            shared.assessments[index] = RiskScorer.score(
                items[index].event, cost: items[index].cost, agent: &agent, session: &sessions[slot]!, config: shared.config)
            shared.replayedHere[index] = false
            scoredHere.append(index)
            outcomes.append((shared.seenKeys[index], RiskOutcome.encode(shared.assessments[index])))
        }
        guard !outcomes.isEmpty else { return }  // nothing to write
        let encoded = agent.encoded()
        let call = RiskCommitScript.call(
            agentKey: shared.agentKeys[groupIndex], version: version, state: encoded,
            sessions: sessions.indices.filter { sessions[$0] != nil }
                .sorted { keys[$0].lexicographicallyPrecedes(keys[$1]) }
                .map { (keys[$0], sessions[$0]!.encoded()) },
            seen: outcomes)
        shared.outcomes[groupIndex].write = GroupWrite(call: call, bytes: encoded, state: agent)
    }

    /// The stored agent state (the one this process wrote when the bytes are unchanged), or a
    /// fresh one only when there is none or it is damaged (`damaged` says why; a fresh state
    /// is ~8 KB to build).
    private static func loadAgent(_ stateBytes: [UInt8]?, agentID: String, cache: AgentStateCache?,
                                  damaged: inout String?) -> AgentRiskState {
        if let stateBytes {
            if let kept = cache?.state(of: agentID, matching: stateBytes) { return kept }
            do { return try AgentRiskState(decoding: stateBytes) } catch {
                damaged = "\(error)"
            }
        }
        return AgentRiskState()
    }

    /// The version (0 when the agent has no state) and state bytes of an HMGET v s reply.
    public static func versionAndState(_ reply: RedisReply) -> (Int64, [UInt8]?) {
        guard case .array(let fields) = reply, fields.count == 2 else { return (0, nil) }
        let version = fields[0].int ?? 0
        if case .bulk(let bytes) = fields[1] { return (version, bytes) }
        return (version, nil)
    }
}
