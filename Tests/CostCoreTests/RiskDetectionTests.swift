import CostCore
import Testing

/// What tells the attacks apart from the legitimate traffic that resembles them.
@Suite("Risk detection")
struct RiskDetectionTests {
    let start = Double(RiskReplay.monday) + 9 * 3600

    @Test("a short burst is not a rate anomaly; the same rate kept up for minutes is")
    func burstVersusLoop() {
        var replay = RiskReplay()
        var time = replay.warm(from: start, count: 300)  // one call a minute for 5 hours
        var burst: [RiskAssessment] = []
        for index in 0..<40 { burst.append(replay.call(at: time + Double(index) * 2, session: "burst")) }
        #expect(burst.allSatisfy { $0.factors.rate < 0.3 })
        #expect(burst.allSatisfy { $0.level < .medium })
        time += 1800
        var loop: [RiskAssessment] = []
        for index in 0..<(12 * 10) { loop.append(replay.call(at: time + Double(index) * 6, session: "loop")) }
        #expect(loop.last!.factors.rate == 1)
        #expect(loop.last!.level >= .high)
        #expect(loop.last!.reasons.contains { $0.contains("calls a minute in 8 of the last 10 min") })
    }

    @Test("a switch to a model far pricier per token is a full spike; an upgrade is not")
    func newModelPrice() {
        var replay = RiskReplay()
        let time = replay.warm(from: start, count: 200)
        let upgrade = replay.call(at: time, agent: "agent-a", model: "gpt-4.1-mini")  // 2.7× per token
        #expect(upgrade.factors.spike < 0.5)
        #expect(upgrade.level < .high)
        var other = RiskReplay()
        let otherTime = other.warm(from: start, count: 200)
        let opus = other.call(at: otherTime, provider: "anthropic", model: "claude-opus-4-1")
        #expect(opus.factors.spike == 1)
        #expect(opus.level >= .high)
        #expect(opus.breakerSignal == "cost_spike")
        #expect(opus.reasons.contains { $0.contains("new to the agent") })
    }

    @Test("a pricey second model used alongside the usual one for hours becomes part of the agent's normal")
    func secondaryModelBecomesNormal() {
        var replay = RiskReplay()
        var early: RiskAssessment?
        var late: RiskAssessment?
        for index in 0..<(300 + 480) {  // one call a minute: 5 hours to settle, then 8 hours with every 5th on o1
            let onO1 = index >= 300 && index % 5 == 2
            let assessment = replay.call(
                at: start + Double(index) * 60, session: "s-\(index / 10)", model: onO1 ? "o1" : "gpt-4o-mini",
                input: 2000 + Int64(index % 7) * 100, output: 300 + Int64(index % 3) * 40)
            if onO1, index == 302 + 100 { early = assessment }
            if onO1 { late = assessment }
        }
        #expect(early!.level >= .high)
        #expect(late!.level < .medium)
        #expect(late!.factors.spike < 0.3)
    }

    @Test("stuffing an output-heavy agent: the input per output token gives it away, not the cost")
    func stuffingOutputHeavyAgent() {
        var replay = RiskReplay()
        var random = AnomalyRandom(seed: 3)
        var time = start
        for index in 0..<200 {  // varied inputs (500–4500), outputs around 1500
            replay.call(at: time, session: "s-\(index / 4)", input: Int64(random.uniform(500, 4500)),
                        output: Int64(1500 * random.uniform(0.6, 1.4)))
            time += 60
        }
        var stuffed: [RiskAssessment] = []
        for index in 0..<5 {  // 10× the input, a tenth of the output: the cost per call only doubles
            stuffed.append(replay.call(at: time + Double(index) * 60, session: "stuffed", input: 25_000, output: 150))
        }
        #expect(stuffed.allSatisfy { $0.factors.spike < 0.5 })
        #expect(stuffed[3].factors.efficiency >= 0.95)
        #expect(stuffed[3].level >= .high)
        #expect(stuffed[3].reasons.contains { $0.hasPrefix("efficiency") })
    }

    @Test("models new to the agent across providers make hopping; one new model does not")
    func novelty() {
        var replay = RiskReplay()
        var time = replay.warm(from: start, count: 200)
        let one = replay.call(at: time, model: "gpt-4.1-nano")
        #expect(one.factors.switching < 0.3)
        let hops = [("google", "gemini-2.0-flash"), ("mistral", "mistral-small-latest"), ("deepseek", "deepseek-chat")]
        var last: RiskAssessment?
        for (provider, model) in hops {
            time += 40
            last = replay.call(at: time, provider: provider, model: model)
        }
        #expect(last!.factors.switching == 1)
        #expect(last!.level >= .high)
        #expect(last!.reasons.contains { $0.contains("new models and providers") })
    }
}

/// Spend that ramps up slowly must not raise the pace it is judged by.
@Suite("Risk detection: slow ramps")
struct RiskSlowRampTests {
    /// A day of one call a minute (9:00–17:00 UTC), then the next day the same hours with the
    /// rate ramping from 1 to 12 calls a minute over 2 hours and kept there for an hour.
    /// Returns the assessments of the last 10 minutes.
    static func ramp(config: RiskConfig) -> [RiskAssessment] {
        var replay = RiskReplay()
        replay.config = config
        let day = Double(RiskReplay.monday)
        replay.warm(from: day + 9 * 3600, count: 8 * 60)
        var time = day + 86_400 + 9 * 3600
        var index = 0
        var last: [RiskAssessment] = []
        let end = time + 3 * 3600
        while time < end {
            let elapsed = time - (day + 86_400 + 9 * 3600)
            let perMinute = 1 + 11 * min(1, elapsed / 7200)
            let assessment = replay.call(at: time, session: "ramp-\(index / 5)", input: 2000 + Int64(index % 7) * 100,
                                         output: 300 + Int64(index % 3) * 40)
            if end - time <= 600 { last.append(assessment) }
            time += 60 / perMinute
            index += 1
        }
        return last
    }

    @Test("a rate ramped slowly to 12× the hour's history is still a rate anomaly: an hour 2.5× its history teaches the paces as a HIGH one does")
    func slowRampStaysVisible() {
        let gated = Self.ramp(config: RiskConfig())
        var ungatedConfig = RiskConfig()
        ungatedConfig.paceLearningHourlyVolume = .infinity
        let ungated = Self.ramp(config: ungatedConfig)
        #expect(gated.count > 100 && ungated.count == gated.count)
        let gatedHigh = gated.filter { $0.level >= .high }.count
        let ungatedHigh = ungated.filter { $0.level >= .high }.count
        #expect(gatedHigh * 10 >= gated.count * 9, "HIGH in \(gatedHigh) of the last \(gated.count) calls")
        #expect(gated.last!.factors.rate >= 0.95, "\(gated.last!.factors) \(gated.last!.reasons)")
        // Without the gate the peak walks up with the ramp, and the same calls look usual.
        #expect(ungatedHigh * 10 <= ungated.count, "without the gate: HIGH in \(ungatedHigh) of \(ungated.count)")
    }

    /// A day of 2 calls a minute (9:00–17:00 UTC, sessions of 5), then the next day the same
    /// until 10:00 and `perMinute` ordinary calls a minute from 10:00 to 12:00. Returns the
    /// assessments of 11:00–12:00.
    static func surge(perMinute: Int, config: RiskConfig) -> [RiskAssessment] {
        var replay = RiskReplay()
        replay.config = config
        let day = Double(RiskReplay.monday)
        replay.warm(from: day + 9 * 3600, count: 8 * 120, every: 30)
        var last: [RiskAssessment] = []
        var index = 0
        for minute in 0..<(3 * 60) {
            let time = day + 86_400 + 9 * 3600 + Double(minute) * 60
            let calls = minute < 60 ? 2 : perMinute
            for call in 0..<calls {
                let assessment = replay.call(at: time + Double(call) * 60 / Double(calls), session: "t-\(index / 5)",
                                             input: 2000 + Int64(index % 7) * 100, output: 300 + Int64(index % 3) * 40)
                if minute >= 120 { last.append(assessment) }
                index += 1
            }
        }
        return last
    }

    @Test("two hours at 7× the hour's history in calls are a rate anomaly however the hourly allowance reads it; 2× is not")
    func surgeBeyondHistory() {
        let caught = Self.surge(perMinute: 14, config: RiskConfig())
        let high = caught.filter { $0.level >= .high }.count
        #expect(high * 10 >= caught.count * 9, "HIGH in \(high) of \(caught.count)")
        var without = RiskConfig()
        without.sustainedVolume = (1e9, 2e9)
        let missed = Self.surge(perMinute: 14, config: without)
        let missedHigh = missed.filter { $0.level >= .high }.count
        #expect(missedHigh * 10 <= missed.count, "without the volume window: HIGH in \(missedHigh) of \(missed.count)")
        // Twice the usual calls is a busy morning.
        let busy = Self.surge(perMinute: 4, config: RiskConfig())
        #expect(busy.allSatisfy { $0.level < .medium }, "\(busy.map(\.score).max()!)")
    }
}

/// A runaway loop on a quiet agent calls only a few times a minute, yet keeps calling in one
/// session for far longer than the agent's sessions last.
@Suite("Risk detection: slow loops")
struct RiskSlowLoopTests {
    /// Monday and Tuesday 9:00–17:00 UTC: a session of 4 calls 10 s apart every 15 minutes
    /// (about 0.27 calls a minute), or — with `longSessions` — one session a day of 2 calls a
    /// minute for 40 minutes from 11:00 besides them. Wednesday the same, plus (with `loop`)
    /// one session calling every 30 s (2 a minute) from 11:00 for 40 minutes. Returns the
    /// assessments of Wednesday 11:00–11:40 in the loop's or the long session's session.
    static func run(config: RiskConfig, loop: Bool, longSessions: Bool = false) -> [RiskAssessment] {
        var replay = RiskReplay()
        replay.config = config
        var watched: [RiskAssessment] = []
        for day in 0..<3 {
            let morning = Double(RiskReplay.monday) + Double(day) * 86_400 + 9 * 3600
            var calls: [(time: Double, session: String)] = []
            for session in 0..<32 {
                for call in 0..<4 { calls.append((morning + Double(session) * 900 + Double(call) * 10, "d\(day)-s\(session)")) }
            }
            if longSessions {
                for call in 0..<80 { calls.append((morning + 7200 + 5 + Double(call) * 30, "d\(day)-long")) }
            }
            if day == 2, loop {
                for call in 0..<80 { calls.append((morning + 7200 + 7 + Double(call) * 30, "d\(day)-loop")) }
            }
            for (index, call) in calls.sorted(by: { $0.time < $1.time }).enumerated() {
                let assessment = replay.call(at: call.time, session: call.session, input: 2000 + Int64(index % 7) * 100,
                                             output: 300 + Int64(index % 3) * 40)
                if call.session == "d2-loop" || call.session == "d2-long" { watched.append(assessment) }
            }
        }
        return watched
    }

    @Test("a loop at 2 calls a minute on an agent making 0.27 is HIGH within 10 minutes: its session's pace is judged from half a call a minute")
    func slowLoopOnQuietAgent() {
        let loop = Self.run(config: RiskConfig(), loop: true)
        #expect(loop.count == 80)
        let late = loop.suffix(60)  // from 10 minutes on
        let high = late.filter { $0.level >= .high }.count
        #expect(high == late.count, "HIGH in \(high) of the loop's last \(late.count) calls: \(loop.map(\.score))")
        #expect(late.allSatisfy { $0.factors.rate >= 0.95 }, "\(late.first!.factors) \(late.first!.reasons)")
        // With the old floor of one call a minute the same loop stays LOW throughout.
        var oldFloor = RiskConfig()
        oldFloor.sessionPaceFloor = 1
        let missed = Self.run(config: oldFloor, loop: true)
        #expect(missed.allSatisfy { $0.level < .medium }, "\(missed.map(\.score))")
    }

    @Test("an agent whose sessions run long every day is not flagged for the same session on the third")
    func usualLongSessionIsNoLoop() {
        let long = Self.run(config: RiskConfig(), loop: false, longSessions: true)
        #expect(long.count == 80)
        #expect(long.allSatisfy { $0.level < .medium }, "highest score \(long.map(\.score).max()!)")
    }
}
