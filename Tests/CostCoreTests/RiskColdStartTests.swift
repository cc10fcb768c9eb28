import CostCore
import Testing

@Suite("Risk cold start")
struct RiskColdStartTests {
    @Test("a brand-new agent's normal first hour is never CRITICAL")
    func newAgentsFirstHour() {
        let scenario = AnomalyScenario.generate(.init(seed: 11, agents: 40, days: 1, episodesPerAttack: 0))
        var replay = RiskReplay()
        var firstSeen: [String: Timestamp] = [:]
        var scored = 0
        var high = 0
        for item in scenario.events {
            let event = item.event
            let first = firstSeen[event.agentID] ?? event.occurredAt
            firstSeen[event.agentID] = first
            let assessment = replay.score(event)
            guard event.occurredAt < first.adding(seconds: 3600) else { continue }
            scored += 1
            #expect(assessment.level < .critical, "\(event.agentID) at \(event.occurredAt)")
            if assessment.level >= .high { high += 1 }
            #expect(assessment.confidence < 0.5)
        }
        #expect(scored > 200)
        #expect(Double(high) / Double(scored) < 0.05)
    }

    @Test("a brand-new agent in a runaway loop trips the rate factor")
    func newAgentRunaway() {
        var replay = RiskReplay()
        let start = Double(RiskReplay.monday) + 10 * 3600
        var moderate: RiskAssessment?
        for index in 0..<150 { moderate = replay.call(at: start + Double(index) * 0.4, agent: "new-a", session: "loop") }
        #expect(moderate!.factors.rate >= 0.5)
        var signals: Set<String> = []
        var last: RiskAssessment?
        for index in 0..<(3 * 700) {
            last = replay.call(at: start + 120 + Double(index) * 60 / 700, agent: "new-b", session: "loop")
            if let signal = last!.breakerSignal { signals.insert(signal) }
        }
        #expect(last!.factors.rate == 1)
        #expect(last!.level >= .high)
        #expect(signals.contains("rate_violation"))
    }

    @Test("a brand-new agent at a steady, brisk pace (8 calls a minute for 6 hours) is its normal: no HIGH, no breaker signal")
    func newAgentSteadyPace() {
        var replay = RiskReplay()
        let start = Double(RiskReplay.monday) + 9 * 3600
        var high = 0
        var signals = 0
        var seed: UInt64 = 7
        for index in 0..<(6 * 60 * 8) {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1
            let jitter = Double(seed >> 40 % 1000) / 1000 * 5  // up to 5 s
            let a = replay.call(at: start + Double(index) * 7.5 + jitter, agent: "brisk", session: "s-\(index / 200)",
                                input: 1500 + Int64(seed >> 50 % 1500), output: 200 + Int64(seed >> 54 % 300))
            if a.level >= .high { high += 1 }
            if a.breakerSignal != nil { signals += 1 }
        }
        #expect(high == 0)
        #expect(signals == 0)
        // …while a loop that starts after those hours still trips the sustained rate.
        var last: RiskAssessment?
        var loopSignals: Set<String> = []
        let loopStart = start + 6 * 3600 + 60
        for index in 0..<(12 * 60) {
            last = replay.call(at: loopStart + Double(index), agent: "brisk", session: "loop")
            if let signal = last!.breakerSignal { loopSignals.insert(signal) }
        }
        #expect(last!.factors.rate == 1, "\(last!)")
        #expect(loopSignals.contains("rate_violation"))
    }

    @Test("a brand-new agent's own mix of models (a cheap main one, a pricier second one) is its normal; a switch to a far pricier model later is a spike")
    func newAgentModelMix() {
        var replay = RiskReplay()
        let start = Double(RiskReplay.monday) + 9 * 3600
        var high = 0
        var signals = 0
        for index in 0..<(6 * 60 * 2) {
            let second = index % 10 == 3
            let a = replay.call(at: start + Double(index) * 30, agent: "mixer", session: "s-\(index / 60)",
                                model: second ? "gpt-4o" : "gpt-4o-mini", input: 2000 + Int64(index % 7) * 150)
            if a.level >= .high { high += 1 }
            if a.breakerSignal != nil { signals += 1 }
        }
        #expect(high == 0)
        #expect(signals == 0)
        var pricey: RiskAssessment?
        for index in 0..<4 {
            pricey = replay.call(at: start + 6 * 3600 + 60 + Double(index) * 30, agent: "mixer", session: "s-late",
                                 provider: "anthropic", model: "claude-opus-4-1", input: 2000)
        }
        #expect(pricey!.factors.spike == 1, "\(pricey!)")
        #expect(pricey!.level >= .high)
    }

    @Test("a brand-new agent trying a few providers in its first hour is at most MEDIUM")
    func newAgentTriesProviders() {
        var replay = RiskReplay()
        let start = Double(RiskReplay.monday) + 9 * 3600
        let models = [("openai", "gpt-4o-mini"), ("anthropic", "claude-haiku-4-5"), ("google", "gemini-2.5-flash"),
                      ("mistral", "mistral-small-latest")]
        var worst = RiskLevel.low
        for index in 0..<120 {
            let (provider, model) = index % 15 == 7 ? models[(index / 15) % 4] : models[0]
            let a = replay.call(at: start + Double(index) * 20, agent: "explorer", session: "s", provider: provider, model: model)
            worst = max(worst, a.level)
        }
        #expect(worst <= .medium)
    }
}
