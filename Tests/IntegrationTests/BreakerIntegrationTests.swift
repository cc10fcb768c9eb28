import AgentSDK
import CostCore
import CostStore
import Foundation
import PostgresClient
import Testing

/// The breaker worker (`cost-breaker`) end to end: budget signal → breaker → agent gate,
/// signed admin commands (override, trip, reset) and their refusals, and two workers racing.
/// One serialized suite: the queues `cost.signals.breaker` and `cost.control` are global, so
/// each test purges them and runs alone; breaker state lives in Redis db 10 (`BreakerRedis`).
@Suite(.serialized, .timeLimit(.minutes(5)))
struct BreakerIntegrationTests {
    // MARK: A

    @Test("Budget crosses 90 %: the agent's gate denies it (daily_budget_90pct) within a second; another agent is still allowed")
    func budgetCrossingDeniesAgent() async throws {
        let stage = try BreakerStage()
        defer { stage.tearDown() }
        let queues = try ScratchQueues()
        defer { queues.delete() }
        let suffix = IntegrationEnvironment.uniqueSuffix()
        let agent = "agent-x-\(suffix)", other = "agent-y-\(suffix)"
        let catalog = try ScratchDatabase.catalog()
        let now = TestEvents.now()
        let time = max(now.adding(seconds: -30), now.utcDayStart)
        var serial = 0
        func events(_ count: Int, of who: String) -> [UsageEvent] {
            (0..<count).map { _ in
                serial += 1
                return UsageEvent(eventID: "\(who)-\(serial)", occurredAt: time, sessionID: "s-\(who)", agentID: who,
                                  provider: "openai", model: "gpt-4o-mini", inputTokens: 100_000, outputTokens: 0)
            }
        }
        let unit = CostCalculator.price(events(1, of: agent)[0], catalog: catalog).cost
        let budget = try BudgetDefinition.validated(id: "agent-day-\(suffix)", scope: .agent(agent), periodKind: .day,
                                                    limit: Nanodollars(unit.value * 100))
        let period = try budget.period(containing: time)
        let counterKey = budget.counterKey(for: period).spend
        do {
            let store = try PGConnection(url: stage.db.url, applicationName: "it-harness")
            defer { store.close() }
            try BudgetStore(db: store).upsert(budget)
        }
        try await stage.startWorker("breaker-a")
        let budgetWorker = try BudgetWorkerProcess(name: "budget-a", queue: queues.queue, pgURL: stage.db.url,
                                                   redisURL: stage.redis.url)
        let gate = try AgentGate(redisURL: stage.redis.url, failureMode: .failClosed)
        gate.start()
        defer { gate.stop() }
        try await Waiting.until("the gate's subscription to be live", timeout: .seconds(10)) { (gate.isLive, "not live") }
        #expect(gate.check(agent: agent, provider: "openai").kind == .allowed)
        #expect(gate.check(agent: other, provider: "openai").kind == .allowed)

        // 89 % of the limit: below the breaker threshold.
        try queues.publish(TestEvents.messages(events(89, of: agent)))
        try await Waiting.until("spend at 89 % of the limit", timeout: .seconds(30),
                                diagnostics: { stage.diagnostics + "\n" + budgetWorker.logTail }) {
            let spend = try stage.redis.counter(counterKey)
            return (spend == Nanodollars(unit.value * 89), "\(counterKey) = \(spend.decimalString)")
        }
        try await Task.sleep(for: .milliseconds(300))
        #expect(gate.check(agent: agent, provider: "openai").kind == .allowed, "89 % must not trip the breaker")

        // The crossing event: from the broker's confirm to the gate's denial.
        try queues.publish(TestEvents.messages(events(1, of: agent)))
        let confirmed = ContinuousClock.now
        var decision = gate.check(agent: agent, provider: "openai")
        var checks = 1
        while decision.allowed && ContinuousClock.now - confirmed < .seconds(15) {
            try await Task.sleep(for: .milliseconds(1))
            decision = gate.check(agent: agent, provider: "openai")
            checks += 1
        }
        let latency = ContinuousClock.now - confirmed
        print("breaker: budget crossing (event confirmed) → gate denies \(agent): \(latency) "
              + "(\(checks) checks, every 1 ms; answer from cache: \(decision.cached))")
        #expect(decision.kind == .denied, "the gate should deny \(agent) after the crossing; got \(decision)\n\(stage.diagnostics)\n\(budgetWorker.logTail)")
        #expect(decision.reason == "daily_budget_90pct", "\(decision)")
        #expect(decision.scope == "agent:\(agent)", "\(decision)")
        #expect(decision.retryAtMs == period.end.millisecondsSinceEpoch, "a budget breaker holds until the period ends: \(decision)")
        #expect(latency < .seconds(1), "crossing-to-deny took \(latency)")
        #expect(gate.check(agent: other, provider: "openai").kind == .allowed, "another agent must still be allowed")
        #expect(gate.checkUncached(agent: other, provider: "openai").kind == .allowed)

        let state = try stage.redis.state(.agent(agent))
        #expect(state.phase == .open && state.reason == "daily_budget_90pct" && state.version == 1, "\(state)")
        // The worker records the transition just after the Redis write that the gate sees.
        try await Waiting.until("the transition in breaker_events", timeout: .seconds(5), diagnostics: { stage.diagnostics }) {
            (try !stage.transitions(.agent(agent)).isEmpty, "no row yet")
        }
        let rows = try stage.transitions(.agent(agent))
        #expect(rows.map { "\($0.from)>\($0.to) \($0.reason) v\($0.version)" } == ["closed>open daily_budget_90pct v1"],
                "\(rows)")
        #expect(rows.first?.evidence.contains("\"source\": \"budget\"") == true
                || rows.first?.evidence.contains("\"source\":\"budget\"") == true,
                "the transition keeps the budget signal as evidence: \(rows.first?.evidence ?? "-")")
        await budgetWorker.terminate()
        await stage.stopWorkers()
    }

    // MARK: B

    @Test("Override (signed, 1 minute) lets calls through a manually tripped breaker and ends at its expiry")
    func overrideEndsAtExpiry() async throws {
        let stage = try BreakerStage()
        defer { stage.tearDown() }
        let key = try Self.generateKey(stage, id: "it-ops-b")
        try await stage.startWorker("breaker-b")
        let agent = "agent-b-\(IntegrationEnvironment.uniqueSuffix())"
        let gate = try AgentGate(redisURL: stage.redis.url)
        let signed = ["--scope", "agent:\(agent)", "--key-id", key.id, "--key-file", key.file]

        let trip = try stage.costctl(["trip", "--reason", "incident b"] + signed)
        #expect(trip.status == 0, "\(trip.combined)")
        try await Waiting.until("the trip to deny \(agent)", timeout: .seconds(15), diagnostics: { stage.diagnostics }) {
            let d = gate.check(agent: agent, provider: "openai")
            return (d.kind == .denied && d.reason == "manual", "\(d)")
        }

        let sent = BreakerClock.nowMs()
        let override = try stage.costctl(["override", "--code", "EMERGENCY_OVERRIDE", "--minutes", "1",
                                          "--reason", "incident b: let the fix through"] + signed)
        #expect(override.status == 0, "\(override.combined)")
        try await Waiting.until("the override to let \(agent) through", timeout: .seconds(15),
                                diagnostics: { stage.diagnostics }) {
            let d = gate.check(agent: agent, provider: "openai")
            return (d.kind == .allowedByOverride, "\(d)")
        }
        let during = try stage.redis.state(.agent(agent))
        #expect(during.phase == .open && during.reason == "manual", "the override does not close the breaker: \(during)")
        let until = during.overrideUntilMs
        #expect(until >= sent + 60_000 - 1_000 && until <= BreakerClock.nowMs() + 60_000,
                "override_until should be about now + 60 s: \(until - sent) ms after the command was sent")
        let status = try stage.costctl(["breaker", "status"])
        #expect(status.status == 0 && status.standardOutput.contains("agent:\(agent)") && status.standardOutput.contains("open"),
                "\(status.combined)")

        // Still through just before the end ...
        let beforeEnd = until - 1_500 - BreakerClock.nowMs()
        if beforeEnd > 0 { try await Task.sleep(for: .milliseconds(beforeEnd)) }
        #expect(gate.check(agent: agent, provider: "openai").kind == .allowedByOverride, "the override holds until its end")
        // ... denied again from its end on.
        var last = gate.check(agent: agent, provider: "openai")
        var deniedAt: Int64 = 0
        while BreakerClock.nowMs() < until + 5_000 {
            last = gate.check(agent: agent, provider: "openai")
            if !last.allowed {
                deniedAt = BreakerClock.nowMs()
                break
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(last.kind == .denied && last.reason == "manual", "after the override the trip holds again: \(last)")
        #expect(deniedAt >= until && deniedAt <= until + 1_000,
                "denied again \(deniedAt - until) ms after override_until (expected within 1 s)")
        // The worker's tick clears the expired override in Redis (and tells subscribers).
        try await Waiting.until("the worker to clear override_until", timeout: .seconds(5), diagnostics: { stage.diagnostics }) {
            let s = try stage.redis.state(.agent(agent))
            return (s.overrideUntilMs == 0 && s.phase == .open, "\(s)")
        }
        let rows = try stage.db.query("SELECT action, outcome, reason FROM audit_log ORDER BY id").rows
        #expect(rows == [["trip", "applied", "applied"], ["override", "applied", "applied"]], "\(rows)")
        await stage.stopWorkers()
    }

    // MARK: C

    @Test("Manual trip then reset (signed, via costctl): open then closed, both transitions in breaker_events with their reasons")
    func manualTripAndReset() async throws {
        let stage = try BreakerStage()
        defer { stage.tearDown() }
        let key = try Self.generateKey(stage, id: "it-ops-c")
        try await stage.startWorker("breaker-c")
        let provider = "itc\(IntegrationEnvironment.uniqueSuffix().prefix(8))"
        let scope = BreakerScope.provider(provider)
        let signed = ["--scope", scope.text, "--key-id", key.id, "--key-file", key.file]

        let trip = try stage.costctl(["trip", "--reason", "provider outage"] + signed)
        #expect(trip.status == 0, "\(trip.combined)")
        let tripID = try Self.commandID(in: trip)
        try await stage.waitForAudit(tripID)
        let open = try stage.redis.state(scope)
        #expect(open.phase == .open && open.reason == "manual" && open.retryAtMs == 0 && open.version == 1, "\(open)")
        #expect(try stage.redis.decide(agent: "any-agent", provider: provider)
                == .denied(scope: scope.text, reason: "manual", retryAtMs: 0))
        #expect(try stage.redis.decide(agent: "any-agent", provider: "other") == .allowed)

        let reset = try stage.costctl(["reset", "--reason", "provider is back"] + signed)
        #expect(reset.status == 0, "\(reset.combined)")
        let resetID = try Self.commandID(in: reset)
        try await stage.waitForAudit(resetID)
        let closed = try stage.redis.state(scope)
        #expect(closed.phase == .closed && closed.reason == "manual_reset" && closed.version == 2, "\(closed)")
        #expect(try stage.redis.decide(agent: "any-agent", provider: provider) == .allowed)

        let rows = try stage.transitions(scope)
        #expect(rows.map { "\($0.from)>\($0.to) \($0.reason) v\($0.version)" }
                == ["closed>open manual v1", "open>closed manual_reset v2"], "\(rows)")
        #expect(rows.first?.evidence.contains(tripID) == true, "evidence names the command: \(rows.first?.evidence ?? "-")")
        #expect(rows.last?.evidence.contains(resetID) == true, "evidence names the command: \(rows.last?.evidence ?? "-")")
        #expect(try stage.audit(commandID: tripID).map(\.outcome) == ["applied"])
        #expect(try stage.audit(commandID: resetID).map(\.outcome) == ["applied"])
        let audit = try stage.costctl(["breaker", "audit"])
        #expect(audit.status == 0 && audit.standardOutput.contains(tripID) && audit.standardOutput.contains(resetID)
                && audit.standardOutput.contains("applied"), "\(audit.combined)")
        await stage.stopWorkers()
    }

    // MARK: helpers

    /// `costctl keys generate` into the stage's folder; its printed entry becomes the keys file.
    static func generateKey(_ stage: BreakerStage, id: String) throws -> (id: String, file: String) {
        let file = stage.folder.appendingPathComponent("\(id).key").path
        let out = try stage.costctl(["keys", "generate", "--key-id", id, "--out", file])
        try #require(out.status == 0, "\(out.combined)")
        let line = try #require(out.standardOutput.split(separator: "\n").last, "no entry printed: \(out.combined)")
        let entry = try JSONParser.parse(Array(line.utf8))
        try stage.trust(entries: [entry])
        return (id, file)
    }

    /// The command id `costctl override|trip|reset` reports ("… as command cmd-…;").
    static func commandID(in output: CommandRunner.Output) throws -> String {
        let range = try #require(output.standardOutput.firstRange(of: "as command "), "\(output.combined)")
        return String(output.standardOutput[range.upperBound...].prefix { $0 != ";" && !$0.isWhitespace })
    }
}
