import CostCore
import Testing

@Suite("Risk factors")
struct RiskFactorTests {
    let start = Double(RiskReplay.monday) + 9 * 3600

    @Test("absolute rate tiers apply from the first event, per agent and per session")
    func rateTiers() {
        var replay = RiskReplay()
        var last: RiskAssessment?
        for index in 0..<130 { last = replay.call(at: start + Double(index) * 0.4) }
        #expect(last!.factors.rate >= 0.5)
        #expect(last!.reasons.contains { $0.contains("elevated") })
        for index in 130..<650 { last = replay.call(at: start + Double(index) * 0.09) }
        #expect(last!.factors.rate == 1)
        #expect(last!.level >= .high)
    }

    @Test("a full rate factor for 3 minutes in a row signals rate_violation")
    func sustainedRateViolation() {
        var replay = RiskReplay()
        var signals: [String?] = []
        for minute in 0..<3 {
            var last: RiskAssessment?
            for index in 0..<650 { last = replay.call(at: start + Double(minute * 60) + Double(index) * 0.09) }
            signals.append(last!.breakerSignal)
        }
        #expect(signals[0] == nil)
        #expect(signals[2] == "rate_violation")
    }

    @Test("the sustained rate compares calls with the agent's own usual rate")
    func relativeRate() {
        var replay = RiskReplay()
        let time = replay.warm(from: start, count: 300)
        #expect(replay.call(at: time).factors.rate == 0)
        var last: RiskAssessment?
        for index in 0..<(20 * 15) { last = replay.call(at: time + 60 + Double(index) * 3, session: "loop") }
        #expect(last!.factors.rate >= 0.9)
        #expect(last!.level >= .high)
    }

    @Test("the hourly allowance covers the nightly batch's calls, not a loop in its hour once the hour is far past them")
    func loopInBatchHour() {
        func run(_ config: RiskConfig) -> RiskAssessment {
            var replay = RiskReplay()
            replay.config = config
            let monday = Double(RiskReplay.monday)
            // Monday and Tuesday: one call a minute, and a batch of 10 calls a minute at 02:00–02:50.
            for minute in 0..<(2 * 1440) {
                let time = monday + Double(minute) * 60
                replay.call(at: time, session: "s-\(minute / 5)")
                if (120..<170).contains(minute % 1440) {
                    for index in 0..<10 { replay.call(at: time + 1 + Double(index) * 5.5, session: "batch-\(minute / 1440)") }
                }
            }
            // Wednesday: no batch, but a loop at 60 calls a minute from 02:00 for 25 minutes.
            let wednesday = monday + 2 * 86_400
            var last: RiskAssessment?
            for minute in 0..<145 {
                let time = wednesday + Double(minute) * 60
                replay.call(at: time, session: "w-\(minute / 5)")
                if minute >= 120 {
                    for index in 0..<60 { last = replay.call(at: time + 0.5 + Double(index), session: "loop") }
                }
            }
            return last!
        }
        let caught = run(RiskConfig())
        #expect(caught.factors.rate >= 0.95)
        #expect(caught.level >= .high)
        var withoutVolume = RiskConfig()
        withoutVolume.sustainedHourlyVolume = (1e9, 2e9)
        // The loop is one session at 6 times the pace the batch's session kept up: the session's
        // own rate catches it too…
        #expect(run(withoutVolume).level >= .high)
        // …while the agent's total alone is within the hourly allowance.
        withoutVolume.sessionPaceRatio = (1e9, 2e9)
        let allowed = run(withoutVolume)
        #expect(allowed.factors.rate < 0.9)
    }

    @Test("a loop inside the agent's own nightly batch: judged against the remembered pace with a tighter ratio once the hour's calls are beyond history; a faster batch of the usual volume is not")
    func loopInsideNightlyBatch() {
        // Monday and Tuesday: one call a minute, and a batch of 20 calls a minute at 02:00–02:35.
        // Wednesday: the same batch (or the same volume at 50 a minute), plus maybe a loop.
        func run(_ config: RiskConfig, loop: Bool, fastBatch: Bool = false) -> RiskAssessment {
            var replay = RiskReplay()
            replay.config = config
            let monday = Double(RiskReplay.monday)
            var highest: RiskAssessment?
            for minute in 0..<(2 * 1440 + 155) {
                let time = monday + Double(minute) * 60
                var result = replay.call(at: time, session: "s-\(minute / 5)")
                let clock = minute % 1440
                let wednesday = minute >= 2 * 1440
                let perMinute = wednesday && fastBatch ? 50 : 20
                let batchEnd = wednesday && fastBatch ? 134 : 155
                if (120..<batchEnd).contains(clock) {
                    for index in 0..<perMinute {
                        result = replay.call(at: time + 0.5 + Double(index) * 59 / Double(perMinute), session: "batch-\(minute / 1440)")
                    }
                }
                // A loop at 50 calls a minute (2.5 times the batch's pace) from 02:05 to 02:33.
                if wednesday, loop, (125..<153).contains(clock) {
                    for index in 0..<50 { result = replay.call(at: time + 0.7 + Double(index) * 1.18, session: "loop") }
                }
                if wednesday, clock >= 120, result.factors.rate >= (highest?.factors.rate ?? -1) { highest = result }
            }
            return highest!
        }
        let caught = run(RiskConfig(), loop: true)
        #expect(caught.factors.rate >= 0.95)
        #expect(caught.level >= .high)
        var wide = RiskConfig()
        wide.sustainedPaceRatio = wide.sustainedRatio
        #expect(run(wide, loop: true).factors.rate < 0.9)
        // The batch alone, or the same batch 2.5 times faster, is no loop.
        #expect(run(RiskConfig(), loop: false).level < .medium)
        #expect(run(RiskConfig(), loop: false, fastBatch: true).level < .high)
    }

    @Test("a nightly batch's pace is remembered for the next night, even when its hour had only a few minutes of it; a daytime loop is still caught")
    func batchPaceNextNight() {
        func run(_ config: RiskConfig) -> (batch: RiskLevel, loop: RiskAssessment) {
            var replay = RiskReplay()
            replay.config = config
            let monday = Double(RiskReplay.monday)
            var batchLevel = RiskLevel.low
            var loop: RiskAssessment?
            // One call every 2 minutes from Monday 00:00. A batch of 40 calls a minute: on Monday
            // only its last 8 minutes are seen (00:00–00:08: it started before the agent's
            // history did), on Tuesday it runs 00:00–00:55, making 6 times the calls Monday's
            // hour 0 made.
            for minute in 0..<(2 * 1440) {
                let time = monday + Double(minute) * 60
                if minute % 2 == 0 { replay.call(at: time, session: "s-\(minute / 10)") }
                let batch = minute < 1440 ? 0..<8 : 1440..<(1440 + 55)
                if batch.contains(minute) {
                    for index in 0..<40 {
                        let level = replay.call(at: time + 1 + Double(index) * 1.45, session: "batch-\(minute / 1440)").level
                        if minute >= 1440 { batchLevel = max(batchLevel, level) }
                    }
                }
                // Tuesday 14:00: a loop at 15 calls a minute (30 times the agent's pace) for 15 minutes.
                if (1440 + 840)..<(1440 + 855) ~= minute {
                    for index in 0..<15 { loop = replay.call(at: time + 0.5 + Double(index) * 4, session: "loop") }
                }
            }
            return (batchLevel, loop!)
        }
        let remembered = run(RiskConfig())
        #expect(remembered.batch < .high)
        #expect(remembered.loop.factors.rate >= 0.95)
        #expect(remembered.loop.level >= .high)
        // Without the time-of-day pace (forgotten within the day), the second night is HIGH.
        var forgetful = RiskConfig()
        forgetful.sustainedPaceHalfLifeDays = 0.01
        #expect(run(forgetful).batch >= .high)
    }

    @Test("a call costing 15 times normal is a full spike and signals cost_spike")
    func spike() {
        var replay = RiskReplay()
        let time = replay.warm(from: start, count: 200)
        let normal = replay.call(at: time)
        #expect(normal.factors.spike < 0.3)
        let spike = replay.call(at: time + 60, input: 30_000, output: 4500)
        #expect(spike.factors.spike == 1)
        #expect(spike.breakerSignal == "cost_spike")
        #expect(spike.level >= .high)
    }

    @Test("under-reporting: a blatant report counts at once, a mild one only as it repeats (fully from 40 % below); honest reports count nothing")
    func underReporting() {
        var replay = RiskReplay()
        let honest = replay.call(at: start, reportedShare: 1)
        #expect(!honest.costMismatch)
        #expect(honest.factors.efficiency == 0)
        let blatant = replay.call(at: start + 60, reportedShare: 0.1)  // 90 % below the catalog
        #expect(blatant.costMismatch)
        #expect(blatant.factors.efficiency == 1)
        #expect(blatant.level >= .high)
        #expect(blatant.reasons.contains { $0.contains("90 % below") })
        // 40 % below: strength 0.5, counted half the first time, fully once it repeats.
        let mild = replay.call(at: start + 120, agent: "agent-c", reportedShare: 0.6)
        #expect(abs(mild.factors.efficiency - 0.25) < 1e-9)
        let again = replay.call(at: start + 180, agent: "agent-c", reportedShare: 0.6)
        #expect(abs(again.factors.efficiency - 0.5) < 1e-9)
        // As it keeps repeating it counts up to twice its strength: full, HIGH, by the 4th time.
        let third = replay.call(at: start + 200, agent: "agent-c", reportedShare: 0.6)
        #expect(abs(third.factors.efficiency - 0.75) < 1e-9)
        #expect(third.level < .high)
        let fourth = replay.call(at: start + 220, agent: "agent-c", reportedShare: 0.6)
        #expect(fourth.factors.efficiency == 1)
        #expect(fourth.level >= .high)
        // 30 % below (strength 0.25) stays at half however often it repeats: a stale price.
        var lastMild = 0.0
        for index in 0..<20 {
            lastMild = replay.call(at: start + 240 + Double(index), agent: "agent-d", reportedShare: 0.7).factors.efficiency
        }
        #expect(abs(lastMild - 0.5) < 1e-9)
        let stale = replay.call(at: start + 240, agent: "agent-b", reportedShare: 0.95)
        #expect(stale.costMismatch)
        #expect(stale.factors.efficiency == 0)
    }

    @Test("token stuffing (huge inputs, small outputs, no cache hits) raises efficiency within a few calls")
    func tokenStuffing() {
        var replay = RiskReplay()
        let time = replay.warm(from: start, count: 200, cacheShare: 0.5)
        #expect(replay.call(at: time, input: 2000, output: 300, cacheRead: 1000).factors.efficiency < 0.3)
        var results: [RiskAssessment] = []
        for index in 1...4 {
            results.append(replay.call(at: time + Double(index) * 60, input: 60_000, output: 60))
        }
        #expect(results[2].factors.efficiency >= 0.9)
        #expect(results[3].level >= .high)
    }

    @Test("switching counts distinct models and providers in 15 minutes against the agent's normal")
    func switching() {
        var replay = RiskReplay()
        var time = replay.warm(from: start, count: 200)
        let upgrade = replay.call(at: time, model: "gpt-4.1-mini")
        #expect(upgrade.factors.switching <= 0.5)
        let hops = [("anthropic", "claude-haiku-4-5"), ("google", "gemini-2.0-flash"), ("mistral", "mistral-small-latest"),
                    ("deepseek", "deepseek-chat"), ("openai", "gpt-4.1-nano")]
        var last: RiskAssessment?
        for (provider, model) in hops {
            time += 30
            last = replay.call(at: time, provider: provider, model: model)
        }
        #expect(last!.factors.switching == 1)
        #expect(last!.level >= .high)
    }

    @Test("history compares spend with the same hours on earlier days")
    func history() {
        var replay = RiskReplay()
        let dayStart = Double(RiskReplay.monday)
        replay.warm(from: dayStart, count: 2 * 1440)  // Monday and Tuesday, one call a minute
        let wednesday = dayStart + 2 * 86_400
        let usual = replay.warm(from: wednesday, count: 10 * 60, seed: 2)  // 00:00–10:00 as usual
        #expect(replay.call(at: usual).factors.history == 0)
        var last: RiskAssessment?
        for index in 0..<(6 * 5 * 60) {  // then six calls a minute for five hours
            last = replay.call(at: usual + 60 + Double(index) * 10, session: "drip-\(index / 20)")
        }
        #expect(last!.factors.history >= 0.9)
        #expect(last!.reasons.contains { $0.hasPrefix("history") })
    }

    @Test("levels follow 25 / 50 / 80 and the weights are 25, 30, 20, 15, 10")
    func levelsAndWeights() {
        #expect([0, 24, 25, 49, 50, 79, 80, 100].map { RiskLevel(score: $0) }
            == [.low, .low, .medium, .medium, .high, .high, .critical, .critical])
        #expect(RiskLevel.low < .medium && RiskLevel.high < .critical)
        let weights = RiskWeights()
        #expect(RiskFactors(rate: 1, spike: 1, efficiency: 1, switching: 1, history: 1).weightedSum(weights) == 100)
        #expect(RiskFactors(spike: 1).weightedSum(weights) == 30)
        #expect(RiskFactors(history: 0.5).weightedSum(weights) == 5)
    }

    @Test("one factor alone: its weight up to 0.8, MEDIUM from 0.875, HIGH from 0.95; agreeing factors add up")
    func singleFactorFloor() {
        func level(_ factors: RiskFactors) -> RiskLevel { RiskLevel(score: Int(RiskScorer.combined(factors).rounded())) }
        // A sustained rate 3–4× the agent's reference (rate ≈ 0.86): its 25 points' share, LOW.
        #expect(abs(RiskScorer.combined(RiskFactors(rate: 0.86)) - 21.5) < 1e-9)
        #expect(level(RiskFactors(rate: 0.86)) == .low)
        #expect(abs(RiskScorer.combined(RiskFactors(rate: 0.8)) - 20) < 1e-9)
        #expect(level(RiskFactors(history: 0.875)) == .medium)  // 50 × 0.5 = 25, its weight alone 8.75
        #expect(level(RiskFactors(switching: 0.9)) == .medium)
        #expect(level(RiskFactors(history: 0.95)) == .high)
        #expect(level(RiskFactors(spike: 1)) == .high)
        // Two factors that agree: the weighted sum, whatever the floor says.
        #expect(level(RiskFactors(rate: 0.86, spike: 0.5)) == .medium)  // 21.5 + 15
        #expect(level(RiskFactors(rate: 1, spike: 1, efficiency: 1)) == .high)  // 75
        #expect(level(RiskFactors(rate: 1, spike: 1, efficiency: 1, switching: 0.5)) == .critical)  // 82.5
        // The floor is the configured one: from 0.6 the same rate alone was MEDIUM (37).
        var old = RiskConfig()
        old.singleFactorStart = 0.6
        #expect(RiskScorer.combined(RiskFactors(rate: 0.86), config: old).rounded() == 37)
    }
}
