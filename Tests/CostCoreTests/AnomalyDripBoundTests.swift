@testable import CostCore
import Testing

@Suite("Slow-drip bound")
struct AnomalyDripBoundTests {
    typealias Volume = AnomalyDripBound.Volume

    @Test("a window's ratio is its volume over the expected volume, both plus the floor")
    func windowRatios() {
        // One call a minute for two hours, then three a minute for an hour; 60 expected an hour.
        let start: Int64 = 1_772_409_600  // Monday 00:00 UTC
        var volumes = (0..<120).map { Volume(time: start + Int64($0) * 60, amount: 1, episode: nil) }
        for minute in 0..<60 {
            for second in [0, 20, 40] { volumes.append(Volume(time: start + 7200 + Int64(minute) * 60 + Int64(second), amount: 1)) }
        }
        let expected = [Double](repeating: 60, count: 168)
        let ratios = AnomalyDripBound.windowRatios(volumes, hours: 1, expected: expected, floor: 0)
        #expect(abs(ratios[119] - 1) < 0.001)  // 60 calls in the hour ending at minute 119
        #expect(abs(ratios.last! - 3) < 0.001)  // 180 in the last hour
        // The floor damps a ratio: (180 + 60) / (60 + 60).
        let floored = AnomalyDripBound.windowRatios(volumes, hours: 1, expected: expected, floor: 60)
        #expect(abs(floored.last! - 2) < 0.001)
        // Three hours: 60 + 60 + 180 over 180.
        let long = AnomalyDripBound.windowRatios(volumes, hours: 3, expected: expected, floor: 0)
        #expect(abs(long.last! - 300.0 / 180) < 0.001)
    }

    @Test("the expectation of an hour of the week is its mean, idle weeks counted as 0")
    func hourOfWeekMeans() {
        let monday: Int64 = 1_772_409_600
        let week: Int64 = 7 * 86_400
        // Monday 10:00 of three weeks: 4, 0 and 2 calls.
        var volumes = (0..<4).map { Volume(time: monday + 36_000 + Int64($0), amount: 1) }
        volumes += (0..<2).map { Volume(time: monday + 2 * week + 36_000 + Int64($0), amount: 1) }
        let means = AnomalyDripBound.hourOfWeekMeans(volumes, from: monday, to: monday + 3 * week)
        #expect(means[10] == 2)
        #expect(means[11] == 0)
    }

    @Test("with only the warm-up as history, each hour of the day is its mean over the warm-up days")
    func hourOfDayMeans() {
        let monday: Int64 = 1_772_409_600
        // 3 calls at 09:xx on Monday, 1 at 09:xx on Tuesday; warm-up of 2 days.
        var volumes = (0..<3).map { Volume(time: monday + 9 * 3600 + Int64($0), amount: 1) }
        volumes.append(Volume(time: monday + 86_400 + 9 * 3600, amount: 1))
        volumes.append(Volume(time: monday + 2 * 86_400 + 9 * 3600, amount: 5))  // after the warm-up
        let means = AnomalyDripBound.hourOfDayMeans(volumes, from: monday, to: monday + 2 * 86_400)
        #expect(means.count == 168)
        #expect(means[9] == 2)
        #expect(means[24 * 5 + 9] == 2)  // Saturday 09:00 too
        #expect(means[10] == 0)
    }

    @Test("the threshold leaves at most the asked share above it")
    func quantile() {
        let values = (1...200).map(Double.init).shuffled()
        let threshold = AnomalyDripBound.quantile(values, 0.99)
        #expect((1...2).contains(values.filter { $0 > threshold }.count))
        #expect(AnomalyDripBound.quantile([], 0.99) == .infinity)
    }

    @Test("the drip's peak is drawn from Config.dripPeak (3–8× by default); a bolder range changes only the drips")
    func dripPeakRange() {
        let plain = AnomalyScenario.generate(.init(seed: 4, agents: 12, days: 3, episodesPerAttack: 2))
        let bold = AnomalyScenario.generate(.init(seed: 4, agents: 12, days: 3, episodesPerAttack: 2, dripPeak: 10...30))
        let plainDrips = plain.episodes.filter { $0.label == .slowDrip }
        let boldDrips = bold.episodes.filter { $0.label == .slowDrip }
        #expect(plainDrips.count == 2 && boldDrips.count == 2)
        #expect(plainDrips.allSatisfy { (3...8).contains($0.intensity) }, "\(plainDrips.map(\.intensity))")
        #expect(boldDrips.allSatisfy { (10...30).contains($0.intensity) }, "\(boldDrips.map(\.intensity))")
        // Same agents, times and places: only the drips' strength (and so their events) differ.
        // (Event and session ids are numbered in generation order, so they are left out.)
        #expect(plainDrips.map(\.agentID) == boldDrips.map(\.agentID) && plainDrips.map(\.start) == boldDrips.map(\.start))
        let others = { (scenario: AnomalyScenario) in
            scenario.events.filter { $0.label != .slowDrip }.map {
                "\($0.label) \($0.event.agentID) \($0.event.occurredAt) \($0.event.model) \($0.event.inputTokens) \($0.event.outputTokens)"
            }
        }
        let plainOthers = others(plain), boldOthers = others(bold)
        #expect(plainOthers.count > 10_000 && plainOthers == boldOthers,
                "\(plainOthers.count) vs \(boldOthers.count) other events; first difference: \(zip(plainOthers, boldOthers).first { $0 != $1 }.map { "\($0)" } ?? "none")")
        let count = { (scenario: AnomalyScenario) in scenario.events.filter { $0.label == .slowDrip }.count }
        #expect(count(bold) > 2 * count(plain), "a 10–30× drip adds far more calls: \(count(bold)) vs \(count(plain))")
    }

    @Test("milder attacks: loops, stuffing, hopping and under-reporting drawn weaker; every other event unchanged")
    func milderAttacks() {
        let plain = AnomalyScenario.generate(.init(seed: 4, agents: 12, days: 3, episodesPerAttack: 2))
        let mild = AnomalyScenario.generate(.init(seed: 4, agents: 12, days: 3, episodesPerAttack: 2, milderAttacks: true))
        let intensities = { (scenario: AnomalyScenario, label: AnomalyLabel) in
            scenario.episodes.filter { $0.label == label }.map(\.intensity)
        }
        for label in [AnomalyLabel.runawayLoop, .tokenStuffing, .providerHopping, .costUnderReporting] {
            #expect(intensities(plain, label).count == 2 && intensities(mild, label).count == 2, "\(label)")
        }
        #expect(intensities(plain, .runawayLoop).allSatisfy { $0 >= 20 }, "\(intensities(plain, .runawayLoop))")
        #expect(intensities(mild, .runawayLoop).allSatisfy { (5...15).contains($0) }, "\(intensities(mild, .runawayLoop))")
        #expect(intensities(mild, .tokenStuffing).allSatisfy { (3...8).contains($0) }, "\(intensities(mild, .tokenStuffing))")
        #expect(intensities(plain, .tokenStuffing).allSatisfy { (8...60).contains($0) })
        #expect(intensities(mild, .providerHopping).allSatisfy { (2...3).contains($0) }, "\(intensities(mild, .providerHopping))")
        #expect(intensities(mild, .costUnderReporting).allSatisfy { (0.3...0.6).contains($0) })
        #expect(intensities(plain, .costUnderReporting).allSatisfy { (0...0.3).contains($0) })
        // Normal traffic, the drips and the expensive-model switches are the same events.
        let untouched: Set<AnomalyLabel> = [.normal, .slowDrip, .expensiveModel]
        let others = { (scenario: AnomalyScenario) in
            scenario.events.filter { untouched.contains($0.label) }.map {
                "\($0.label) \($0.event.agentID) \($0.event.occurredAt) \($0.event.model) \($0.event.inputTokens) \($0.event.outputTokens) \($0.event.reportedCost.map { "\($0.value)" } ?? "-")"
            }
        }
        let plainOthers = others(plain), mildOthers = others(mild)
        #expect(plainOthers.count > 10_000 && plainOthers == mildOthers,
                "first difference: \(zip(plainOthers, mildOthers).first { $0 != $1 }.map { "\($0)" } ?? "none")")
    }

    @Test("a blatant drip is found; the scenario's own drips are counted as the evaluation counts them")
    func scenario() {
        var scenario = AnomalyScenario.generate(.init(seed: 4, agents: 12, days: 3, episodesPerAttack: 1))
        let own = scenario.episodes.filter { $0.label == .slowDrip }
        let detectable = scenario.events.filter { item in
            own.contains { item.episode == $0.id && item.event.occurredAt >= $0.detectableFrom }
        }.count
        let plain = AnomalyDripBound.measure(scenario, referenceDays: 21)
        #expect(plain.lines.count == 16)  // 2 histories × 2 measures × 4 windows
        for line in plain.lines {
            #expect(line.total == detectable)
            #expect(line.caught <= line.total)
            #expect(line.normalEvents > 1000)
            #expect(line.normalFlaggedRate < 0.2, "\(line)")
        }

        // Add a drip of 10 calls a minute for 4 hours to an agent the generator left alone.
        let attacked = Set(scenario.episodes.map(\.agentID))
        let template = scenario.events.first { !attacked.contains($0.event.agentID) }!.event
        let from = scenario.warmupEnd.adding(seconds: 10 * 3600)
        let id = scenario.episodes.count
        scenario.episodes.append(AnomalyEpisode(
            id: id, label: .slowDrip, agentID: template.agentID, start: from, end: from.adding(seconds: 4 * 3600),
            detectableFrom: from.adding(seconds: 1800), intensity: 10))
        for call in 0..<2400 {
            var event = template
            event.eventID = "blatant-\(call)"
            event.occurredAt = from.adding(microseconds: Int64(call) * 6_000_000)
            scenario.events.append(AnomalyEvent(event: event, label: .slowDrip, episode: id))
        }
        scenario.events.sort { $0.event.occurredAt < $1.event.occurredAt }
        let blatant = AnomalyDripBound.measure(scenario, referenceDays: 21)
        let calls = blatant.lines.first { $0.history == .reference && $0.measure == .calls && $0.windowHours == 1 }!
        #expect(calls.total == detectable + 2100)
        #expect(calls.caught >= 2000 + plain.lines.first { $0.history == .reference && $0.measure == .calls && $0.windowHours == 1 }!.caught)
        #expect(blatant.best!.recall > plain.best!.recall)
        // One warm-up day is a rough expectation, so its thresholds sit higher: still caught by the hundreds.
        #expect(blatant.bestLine(.warmup)!.caught >= plain.bestLine(.warmup)!.caught + 1000)
        #expect(blatant.summary.contains("slow-drip bound"))
    }
}
