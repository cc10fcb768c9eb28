import AgentSDK
import CostCore
import Foundation
import Testing

/// The anomaly worker stops a runaway loop: its signal opens the agent's breaker and the
/// agent's gate denies the next call.
extension BreakerIntegrationTests {
    @Test("A runaway loop: the anomaly worker's rate signal opens the agent's breaker and its gate denies; another agent is still allowed")
    func runawayLoopDeniedByGate() async throws {
        let stage = try BreakerStage()
        defer { stage.tearDown() }
        let queues = try ScratchQueues()
        defer { queues.delete() }
        let suffix = IntegrationEnvironment.uniqueSuffix()
        let agent = "runaway-\(suffix)", other = "steady-\(suffix)"
        try await stage.startWorker("breaker-a")
        let anomaly = try AnomalyWorkerProcess(name: "anomaly-a", queue: queues.queue, pgURL: stage.db.url,
                                               redisURL: stage.redis.url)
        defer { anomaly.kill9() }
        let gate = try AgentGate(redisURL: stage.redis.url, failureMode: .failClosed)
        gate.start()
        defer { gate.stop() }
        try await Waiting.until("the gate's subscription to be live", timeout: .seconds(10)) { (gate.isLive, "not live") }

        // A steady agent: a call every 20 s for the last 10 minutes. The loop: 700 calls a
        // minute over the last 4 minutes, the same small call again and again.
        var fleet = SimulatedFleetEvents(runID: suffix)
        let now = TestEvents.now()
        let steady = (0..<30).map { fleet.event(agent: other, session: "s", at: now.adding(seconds: -600 + Int64($0) * 20)) }
        let loop = (0..<2_800).map { fleet.event(agent: agent, session: "loop", at: now.adding(microseconds: -240_000_000 + Int64($0) * 85_000)) }
        try queues.publish(TestEvents.messages(steady))
        #expect(gate.check(agent: agent, provider: "openai").kind == .allowed)

        // Timed from the start of publishing: the worker trips the breaker while the loop's
        // third minute (in event time) is still being published.
        let publishing = ContinuousClock.now
        try queues.publish(TestEvents.messages(loop))
        var decision = gate.check(agent: agent, provider: "openai")
        while decision.allowed && ContinuousClock.now - publishing < .seconds(60) {
            try await Task.sleep(for: .milliseconds(2))
            decision = gate.check(agent: agent, provider: "openai")
        }
        let latency = ContinuousClock.now - publishing
        print("anomaly: runaway loop of 2800 calls, from the start of publishing → gate denies \(agent): \(latency)")
        #expect(decision.kind == .denied, "the gate should deny \(agent); got \(decision)\n\(stage.diagnostics)\n\(anomaly.logTail)")
        #expect(["rate_violation", "risk_critical", "cost_spike"].contains(decision.reason ?? ""), "\(decision)")
        #expect(decision.scope == "agent:\(agent)", "\(decision)")
        #expect(gate.check(agent: other, provider: "openai").kind == .allowed, "the steady agent must still be allowed")
        let state = try stage.redis.state(.agent(agent))
        #expect(state.phase == .open, "\(state)")
        try await Waiting.until("the transition in breaker_events", timeout: .seconds(5), diagnostics: { stage.diagnostics }) {
            (try !stage.transitions(.agent(agent)).isEmpty, "no row yet")
        }
        let evidence = try stage.transitions(.agent(agent)).first?.evidence ?? ""
        #expect(evidence.contains("anomaly"), "the transition keeps the anomaly signal as evidence: \(evidence)")
        await anomaly.terminate()
        await stage.stopWorkers()
    }
}
