import AnomalyKit
import CostCore
import Foundation
import Testing

/// `cost-anomaly` against real servers: the scores it stores are the pure scorer's, every
/// event moves its agent's shared state exactly once (several workers, duplicates, kill -9),
/// and what HIGH and CRITICAL lead to (security_events, alerts, breaker signals) is never lost.
@Suite("Anomaly worker", .serialized)
struct AnomalyIntegrationTests {
    /// A small labelled scenario (normal traffic plus one episode of each attack) ending 10
    /// minutes ago, so every event is valid now.
    static func scenario(seed: UInt64, agents: Int) -> AnomalyScenario {
        var config = AnomalyScenario.Config(seed: seed, agents: agents, days: 2, warmupDays: 1, episodesPerAttack: 1)
        config.start = TestEvents.now().adding(seconds: -2 * 86_400 - 600)
        return AnomalyScenario.generate(config)
    }

    /// What the pure scorer says, event by event in occurred_at order (sessions per agent, as
    /// the worker keys them).
    static func expected(_ events: [UsageEvent], catalog: PricingCatalog) -> [String: RiskAssessment] {
        var agents: [String: AgentRiskState] = [:]
        var sessions: [String: SessionRiskState] = [:]
        var out: [String: RiskAssessment] = [:]
        for event in events {
            out[event.eventID] = RiskScorer.score(
                event, cost: CostCalculator.price(event, catalog: catalog),
                agent: &agents[event.agentID, default: AgentRiskState()],
                session: &sessions[RiskStateKeys.session(agentID: event.agentID, sessionID: event.sessionID), default: SessionRiskState()])
        }
        return out
    }

    /// After an outage: waits until every event is scored, the queue drained and the MEDIUM+
    /// rows stored, stops the workers, then checks the numbers are the pure scorer's: every
    /// event's stored outcome, every agent's count of events, and `security_events`.
    static func expectPureScores(_ stage: AnomalyStage, events: [UsageEvent], expected: [String: RiskAssessment],
                                 sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let flagged = expected.filter { $0.value.level >= .medium }
        try await Waiting.until("all \(events.count) events scored", timeout: .seconds(180), interval: .milliseconds(500),
                                diagnostics: { stage.diagnostics }, sourceLocation: sourceLocation) {
            let n = try stage.scoredCount()
            return (n == events.count, "\(n) scored")
        }
        try await Waiting.until("the queue drained", timeout: .seconds(60), diagnostics: { stage.diagnostics },
                                sourceLocation: sourceLocation) {
            let ready = try stage.queues.readyCount(stage.queues.queue)
            return (ready == 0, "\(ready) ready")
        }
        try await Waiting.until("security events stored", timeout: .seconds(60), diagnostics: { stage.diagnostics },
                                sourceLocation: sourceLocation) {
            let n = try stage.securityEvents().count
            return (n == flagged.count, "\(n) of \(flagged.count) stored")
        }
        await stage.stopWorkers()
        let outcomes = try stage.outcomes(events.map(\.eventID))
        #expect(outcomes.count == events.count, sourceLocation: sourceLocation)
        let differing = events.filter { outcomes[$0.eventID]?.score != expected[$0.eventID]?.score }
        #expect(differing.isEmpty, "\(differing.count) events scored differently from the pure scorer", sourceLocation: sourceLocation)
        for (agent, count) in Dictionary(grouping: events, by: \.agentID).mapValues(\.count) {
            #expect(try stage.agentState(agent)?.eventsSeen == Int64(count), "agent \(agent) counted each of its events once",
                    sourceLocation: sourceLocation)
        }
        let stored = try stage.securityEvents()
        #expect(Set(stored.keys) == Set(flagged.keys), "security_events holds exactly the MEDIUM+ events",
                sourceLocation: sourceLocation)
        #expect(stored.allSatisfy { flagged[$0.key]?.score == $0.value.score }, sourceLocation: sourceLocation)
    }

    @Test("one worker stores exactly the pure scorer's scores, and an alert and a signal for what needs one")
    func matchesPureScorer() async throws {
        let stage = try AnomalyStage(redisDatabase: 7)
        defer { stage.tearDown() }
        let events = Self.scenario(seed: 21, agents: 6).events.map(\.event)
        print("scenario: \(events.count) events")
        let expected = Self.expected(events, catalog: stage.catalog)
        let flagged = expected.filter { $0.value.level >= .medium }
        try #require(expected.values.contains { $0.level >= .high }, "the scenario should contain HIGH events")

        try stage.queues.publish(TestEvents.messages(events))
        let worker = try stage.startWorker("anomaly-a")
        try await Waiting.until("all \(events.count) events scored", timeout: .seconds(240), interval: .milliseconds(500),
                                diagnostics: { stage.diagnostics }) {
            let n = try stage.scoredCount()
            return (n == events.count, "\(n) scored")
        }
        try await Waiting.until("security events stored", timeout: .seconds(30), diagnostics: { stage.diagnostics }) {
            let n = try stage.securityEvents().count
            return (n == flagged.count, "\(n) of \(flagged.count) stored")
        }

        // Scores: every MEDIUM+ event stored with the pure scorer's score, nothing else.
        let stored = try stage.securityEvents()
        for (id, assessment) in flagged {
            let row = try #require(stored[id], "event \(id) scored \(assessment.level) is missing from security_events")
            #expect(row.score == assessment.score && row.level == assessment.level.rawValue, "event \(id)")
        }
        #expect(Set(stored.keys) == Set(flagged.keys))
        // Every event's stored outcome equals the pure score.
        let outcomes = try stage.outcomes(events.map(\.eventID))
        #expect(outcomes.count == events.count)
        #expect(events.allSatisfy { outcomes[$0.eventID]?.score == expected[$0.eventID]?.score })
        // The shared state counted each event once.
        for (agent, count) in Dictionary(grouping: events, by: \.agentID).mapValues(\.count) {
            #expect(try stage.agentState(agent)?.eventsSeen == Int64(count), "agent \(agent)")
        }

        // Alerts: one per (agent, UTC hour, kind) that had a HIGH / CRITICAL event.
        var identities = Set<String>()
        for event in events where expected[event.eventID]!.level >= .high {
            identities.insert(AnomalyStage.alertIdentity(event, expected[event.eventID]!.level))
        }
        let alerts = try stage.riskAlerts()
        #expect(Set(alerts.keys) == identities)
        #expect(alerts.values.allSatisfy { $0 == 1 })

        // Signals: for each agent and reason the pure scorer asked for, at least one on
        // cost.signals; none for anything else.
        var wanted: [String: Set<String>] = [:]
        let agents = Set(events.map { "agent:" + $0.agentID })
        for event in events {
            if let reason = expected[event.eventID]!.breakerSignal { wanted["agent:" + event.agentID, default: []].insert(reason) }
        }
        try await Waiting.until("breaker signals", timeout: .seconds(15)) {
            // Other suites' workers may still publish on the shared exchange: only this scenario's agents count.
            let got = try stage.tap.collect().filter {
                $0.exchange == "cost.signals" && $0.body["source"]?.stringValue == "anomaly"
                    && agents.contains($0.body["scope"]?.stringValue ?? "")
            }
            var seen: [String: Set<String>] = [:]
            for m in got { seen[m.body["scope"]?.stringValue ?? "", default: []].insert(m.body["reason"]?.stringValue ?? "") }
            return (seen == wanted, "\(seen) (wanted \(wanted))")
        }
        await stage.stopWorkers()
        #expect(!worker.isRunning)
    }

    @Test("two workers, redelivered copies and a kill -9: every event moves its agent's state exactly once, no output lost")
    func exactlyOnceUnderConcurrency() async throws {
        let stage = try AnomalyStage(redisDatabase: 8)
        defer { stage.tearDown() }
        let events = Self.scenario(seed: 22, agents: 20).events.map(\.event)
        var messages = TestEvents.messages(events)
        let copies = TestEvents.duplicates(of: events, count: events.count / 20)
        for (offset, copy) in copies.enumerated() {
            messages.insert(copy, at: min(messages.count, (offset * 37_171) % messages.count + 1))
        }
        try stage.queues.publish(messages)
        let first = try stage.startWorker("anomaly-1")
        try stage.startWorker("anomaly-2")
        try await Waiting.until("a third of the events scored", timeout: .seconds(180), interval: .milliseconds(200),
                                diagnostics: { stage.diagnostics }) {
            let n = try stage.scoredCount()
            return (n >= events.count / 3, "\(n) scored")
        }
        let scoredAtKill = try stage.scoredCount()
        first.kill9()
        #expect(scoredAtKill < events.count, "the kill should land mid-stream")
        try stage.startWorker("anomaly-3")
        try await Waiting.until("all \(events.count) unique events scored", timeout: .seconds(300), interval: .milliseconds(500),
                                diagnostics: { stage.diagnostics }) {
            let n = try stage.scoredCount()
            return (n == events.count, "\(n) scored")
        }
        try await Waiting.until("the queue drained", timeout: .seconds(60), diagnostics: { stage.diagnostics }) {
            let ready = try stage.queues.readyCount(stage.queues.queue)
            return (ready == 0, "\(ready) ready")
        }
        await stage.stopWorkers()

        for (agent, count) in Dictionary(grouping: events, by: \.agentID).mapValues(\.count) {
            #expect(try stage.agentState(agent)?.eventsSeen == Int64(count), "agent \(agent) counted each of its events once")
        }
        let outcomes = try stage.outcomes(events.map(\.eventID))
        #expect(outcomes.count == events.count)
        let byID = Dictionary(uniqueKeysWithValues: events.map { ($0.eventID, $0) })
        let flagged = outcomes.filter { $0.value.level >= .medium }
        try #require(outcomes.values.contains { $0.level >= .high }, "the scenario should contain HIGH events")
        let stored = try stage.securityEvents()
        #expect(Set(stored.keys) == Set(flagged.keys), "security_events holds exactly the MEDIUM+ outcomes")
        #expect(stored.allSatisfy { flagged[$0.key]?.score == $0.value.score })
        var identities = Set<String>()
        for (id, a) in outcomes where a.level >= .high { identities.insert(AnomalyStage.alertIdentity(byID[id]!, a.level)) }
        let alerts = try stage.riskAlerts()
        #expect(Set(alerts.keys) == identities, "one alert per agent, hour and kind, none lost to the kill")
        #expect(try stage.queues.readyCount(stage.queues.deadLetterQueue) == 0, "\(stage.queues.deadLetterSummary())")
    }

    @Test("Redis killed (kill -9) mid-stream and started again: the worker waits, keeps the messages, and scores every event exactly once as the pure scorer does")
    func redisRestart() async throws {
        let stage = try AnomalyStage(redisDatabase: 8)
        defer { stage.tearDown() }
        defer { RedisServerControl.ensureRunning(url: stage.redis.url) }
        let events = Self.scenario(seed: 23, agents: 8).events.map(\.event)
        let expected = Self.expected(events, catalog: stage.catalog)
        let flagged = expected.filter { $0.value.level >= .medium }
        try #require(!flagged.isEmpty, "the scenario should contain MEDIUM+ events")
        try stage.queues.publish(TestEvents.messages(events))
        // Small batches: many compare-and-sets in flight when Redis dies.
        let worker = try stage.startWorker("anomaly-redis", extra: ["--batch-size", "20"])
        try await Waiting.until("a third of the events scored", timeout: .seconds(180), interval: .milliseconds(10),
                                diagnostics: { stage.diagnostics }) {
            let n = try stage.scoredCount()
            return (n >= events.count / 3, "\(n) scored")
        }

        // Redis crashes mid-stream. (Its append-only file is written at every step and synced
        // each second: a killed process loses nothing that it answered.)
        let scoredBeforeKill = try stage.scoredCount()
        try RedisServerControl.kill9()
        #expect(scoredBeforeKill < events.count, "the kill should land mid-stream")
        try await Waiting.until("Redis gone", timeout: .seconds(10)) {
            (!RedisServerControl.isRunning(url: stage.redis.url), "still answering")
        }
        let outageStarted = ContinuousClock.now
        while ContinuousClock.now - outageStarted < .seconds(6) {
            try await Task.sleep(for: .seconds(1))
            #expect(worker.isRunning, "the worker must survive Redis going away\n\(worker.logTail)")
        }
        #expect(worker.log.contains("not committed, retrying"),
                "the worker should say it retries while Redis is away\n\(worker.logTail)")
        let start = try RedisServerControl.start()
        try #require(start.status == 0, "ops/servers up failed: \(start.combined)")

        // Nothing lost, nothing counted twice: the same numbers as without the restart.
        try await Self.expectPureScores(stage, events: events, expected: expected)
        #expect(try stage.queues.readyCount(stage.queues.deadLetterQueue) == 0, "\(stage.queues.deadLetterSummary())")
    }

    @Test("PostgreSQL down mid-stream: scores already committed to Redis are replayed into security_events and alerts once it is back; nothing lost or doubled")
    func postgresOutage() async throws {
        let stage = try AnomalyStage(redisDatabase: 8)
        defer { stage.tearDown() }
        let events = Self.scenario(seed: 24, agents: 8).events.map(\.event)
        let expected = Self.expected(events, catalog: stage.catalog)
        // The split: just after the last MEDIUM+ event before the first breaker signal (from
        // the middle on) whose agent and reason had none before. The first batch that needs
        // PostgreSQL during the outage then holds that signal, which must go out exactly once
        // although the batch is retried.
        func signalKey(_ index: Int) -> String? {
            expected[events[index].eventID]!.breakerSignal.map { "\(events[index].agentID) \($0)" }
        }
        let firstSignal = try #require(events.indices.first { index in
            guard index >= events.count / 2, let key = signalKey(index) else { return false }
            return !(0..<index).contains { signalKey($0) == key }
        }, "the second half should hold a breaker signal")
        let firstHalf = (events.indices.last { $0 < firstSignal && expected[events[$0].eventID]!.level >= .medium } ?? 0) + 1
        let laterFlagged = events[firstHalf...].filter { expected[$0.eventID]!.level >= .medium }
        try #require(laterFlagged.count >= 3, "the second half should contain MEDIUM+ events")
        let messages = TestEvents.messages(events)
        try stage.queues.publish(Array(messages[..<firstHalf]))
        let worker = try stage.startWorker("anomaly-pg")
        try await Waiting.until("the first \(firstHalf) events scored", timeout: .seconds(180), interval: .milliseconds(200),
                                diagnostics: { stage.diagnostics }) {
            let n = try stage.scoredCount()
            return (n == firstHalf, "\(n) scored")
        }

        // PostgreSQL goes away (no other scratch database of this process may be open meanwhile).
        defer { PostgresOutageGate.endOutage() }
        if !(await PostgresOutageGate.beginOutage()) { print("other scratch databases stayed open; the outage may disturb their tests") }
        defer { PostgresServerControl.ensureRunning() }
        let stop = try PostgresServerControl.stop()
        try #require(stop.status == 0, "pg_ctl stop failed: \(stop.combined)")
        try stage.queues.publish(Array(messages[firstHalf...]))
        let outageStarted = ContinuousClock.now
        while ContinuousClock.now - outageStarted < .seconds(8) {
            try await Task.sleep(for: .seconds(1))
            #expect(worker.isRunning, "the worker must survive a database outage\n\(worker.logTail)")
        }
        #expect(worker.log.contains("retrying") || worker.log.contains("will retry"),
                "the worker should say it retries while the database is away\n\(worker.logTail)")
        // The worker scored on (Redis was there) until a batch needed PostgreSQL: that batch's
        // MEDIUM+ events are scored but not acked, so their rows can only come from the replay.
        let scoredInOutage = try stage.outcomes(laterFlagged.map(\.eventID))
        #expect(!scoredInOutage.isEmpty, "a MEDIUM+ event should have been scored while PostgreSQL was away")
        let start = try PostgresServerControl.start()
        try #require(start.status == 0, "pg_ctl start failed: \(start.combined)")
        PostgresOutageGate.endOutage()

        try await Self.expectPureScores(stage, events: events, expected: expected)
        var identities = Set<String>()
        for event in events where expected[event.eventID]!.level >= .high {
            identities.insert(AnomalyStage.alertIdentity(event, expected[event.eventID]!.level))
        }
        let alerts = try stage.riskAlerts()
        #expect(Set(alerts.keys) == identities, "one alert per agent, hour and kind")
        #expect(alerts.values.allSatisfy { $0 == 1 })
        // Breaker signals: each agent and reason the pure scorer asked for exactly once (the
        // test takes seconds, within one quiet period), also when its batch was retried.
        var wanted: Set<String> = []
        for event in events {
            if let reason = expected[event.eventID]!.breakerSignal { wanted.insert("agent:\(event.agentID) \(reason)") }
        }
        let agents = Set(events.map { "agent:" + $0.agentID })
        try await Waiting.until("breaker signals", timeout: .seconds(15)) {
            let got = try stage.tap.collect().filter {
                $0.exchange == "cost.signals" && $0.body["source"]?.stringValue == "anomaly"
                    && agents.contains($0.body["scope"]?.stringValue ?? "")
            }.map { "\($0.body["scope"]?.stringValue ?? "") \($0.body["reason"]?.stringValue ?? "")" }
            return (Set(got) == wanted && got.count == wanted.count, "\(got.sorted()) (wanted \(wanted.sorted()))")
        }
        #expect(try stage.queues.readyCount(stage.queues.deadLetterQueue) == 0, "\(stage.queues.deadLetterSummary())")
    }

    @Test("a runaway loop of a brand-new agent trips the rate factor and signals the breaker; a damaged state is replaced")
    func runawayAndDamagedState() async throws {
        let stage = try AnomalyStage(redisDatabase: 7)
        defer { stage.tearDown() }
        let runID = IntegrationEnvironment.uniqueSuffix()
        // 750 calls a minute for 4 minutes, ending a minute ago.
        let start = TestEvents.now().adding(seconds: -300)
        var fleet = SimulatedFleetEvents(runID: runID)
        let runaway = (0..<3_000).map { i in
            fleet.event(agent: "runaway-\(runID)", session: "loop", at: start.adding(microseconds: Int64(i) * 80_000))
        }
        // Another agent whose stored state is garbage.
        _ = try stage.command(["HSET", RiskStateKeys.agent("damaged-\(runID)"), "v", "7", "s", "not a risk state"])
        let damaged = (0..<20).map { i in
            fleet.event(agent: "damaged-\(runID)", session: "s1", at: start.adding(seconds: Int64(i) * 10))
        }
        try stage.queues.publish(TestEvents.messages(runaway + damaged))
        let worker = try stage.startWorker("anomaly-runaway")
        try await Waiting.until("all scored", timeout: .seconds(120), interval: .milliseconds(300), diagnostics: { stage.diagnostics }) {
            let n = try stage.scoredCount()
            return (n == runaway.count + damaged.count, "\(n) scored")
        }
        try await Waiting.until("a breaker signal for the runaway agent", timeout: .seconds(15)) {
            let got = try stage.tap.collect().filter {
                $0.exchange == "cost.signals" && $0.body["scope"]?.stringValue == "agent:runaway-\(runID)"
            }
            return (!got.isEmpty, "\(got.map { $0.body["reason"]?.stringValue ?? "?" })")
        }
        let signal = try #require(stage.tap.received.first {
            $0.exchange == "cost.signals" && $0.body["scope"]?.stringValue == "agent:runaway-\(runID)"
        })
        #expect(signal.body["source"]?.stringValue == "anomaly" && signal.body["signal"]?.stringValue == "open_breaker")
        #expect(["rate_violation", "risk_critical"].contains(signal.body["reason"]?.stringValue ?? ""), "\(signal.body)")
        let high = try stage.db.count("SELECT count(*) FROM security_events WHERE agent_id = $1 AND level IN ('HIGH', 'CRITICAL')",
                                      ["runaway-\(runID)"])
        #expect(high > 1_000, "most of the loop's calls are HIGH or above (got \(high))")
        #expect(try stage.db.count("SELECT count(*) FROM security_events WHERE agent_id = $1 AND level = 'CRITICAL' AND rate_factor < 1",
                                   ["runaway-\(runID)"]) == 0, "no CRITICAL for a new agent from anything but the rate factor")
        // The damaged state was replaced: the agent's 20 events counted from a fresh state.
        #expect(try stage.agentState("damaged-\(runID)")?.eventsSeen == 20)
        #expect(worker.log.contains("damaged risk state"), "the worker says it replaced a damaged state\n\(worker.logTail)")
        await stage.stopWorkers()
    }
}

/// Plain gpt-4o-mini calls of one agent and session at chosen instants.
struct SimulatedFleetEvents {
    let runID: String
    private var counter = 0

    init(runID: String) { self.runID = runID }

    mutating func event(agent: String, session: String, at time: Timestamp) -> UsageEvent {
        counter += 1
        var event = TestEvents.fleet(count: 1, runID: runID)[0]
        event.eventID = "\(runID)-\(agent)-\(counter)"
        event.agentID = agent
        event.sessionID = session
        event.occurredAt = time
        return event
    }
}
