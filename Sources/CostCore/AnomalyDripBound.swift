/// A yardstick for the slow-drip recall: the best a volume detector could do that knew far more
/// than any real one.
///
/// A slow drip adds ordinary calls (same models, same sizes) to an agent's traffic, so the only
/// trace it leaves is volume: calls or spend per hour. This "oracle" knows each agent's normal
/// traffic from `referenceDays` other simulated days of the same agents (same profiles; the
/// scenario's own days are not used). For each window length and measure (calls, spend) it
/// - takes as the expectation of every hour of the week its mean over the first two thirds of
///   those days (8 weeks of the default 84 days);
/// - scores each event by its window's volume ending at the event, over the expectation of that
///   window, each with a floor of a quarter of the agent's mean hour per window hour (so a quiet
///   night hour does not make huge ratios);
/// - sets, per agent, the threshold that flags `falsePositiveRate` of its events in the last
///   third of the reference days (days the expectation did not see, as the scenario's).
/// The bound's recall is the share of the scenario's slow-drip events, counted as the
/// evaluation counts them (from the episode's `detectableFrom`), above their agent's threshold.
///
/// This is generous to the oracle: it sees 84 days of each agent instead of a warm-up day,
/// the threshold is tuned per agent, and the window is picked after the fact. A recall it
/// cannot reach, the scorer cannot either (without leaning on quirks of the generator).
public struct AnomalyDripBound: Sendable {
    public enum Measure: String, Sendable, CaseIterable { case calls, spend }
    /// Where the expectation of an hour comes from: the reference's first 56 days (hour of the
    /// week), or only what the scorer had, the scenario's warm-up days (hour of the day).
    public enum History: String, Sendable, CaseIterable { case reference, warmup }

    public struct Line: Sendable, Equatable {
        public var history: History
        public var measure: Measure
        public var windowHours: Int
        /// Slow-drip events (from detectableFrom) above their agent's threshold, and all of them.
        public var caught: Int
        public var total: Int
        /// The scenario's normal events after the warm-up, outside any attack on their agent
        /// (and 15 minutes after it), above the threshold, with windows of the agent's normal
        /// traffic only: the reference's 1 %, measured on the scenario's own days.
        public var normalFlagged: Int
        public var normalEvents: Int
        public var recall: Double { total == 0 ? 0 : Double(caught) / Double(total) }
        public var normalFlaggedRate: Double { normalEvents == 0 ? 0 : Double(normalFlagged) / Double(normalEvents) }
    }

    public var referenceDays: Int
    public var falsePositiveRate: Double
    public var lines: [Line]

    public var best: Line? { bestLine(.reference) }
    public func bestLine(_ history: History) -> Line? { lines.filter { $0.history == history }.max { $0.recall < $1.recall } }

    /// The reference: the scenario's agents (same seed, so the same profiles) without attacks,
    /// for the scenario's days plus `referenceDays`; only the days after the scenario's count.
    public static func reference(for scenario: AnomalyScenario, referenceDays: Int) -> AnomalyScenario {
        var config = AnomalyScenario.Config(
            seed: scenario.config.seed, agents: scenario.config.agents, days: scenario.config.days + referenceDays,
            warmupDays: scenario.config.warmupDays, episodesPerAttack: 0)
        config.start = scenario.config.start
        return AnomalyScenario.generate(config)
    }

    public static let defaultReferenceDays = 84

    public static func measure(
        _ scenario: AnomalyScenario, referenceDays: Int = defaultReferenceDays, falsePositiveRate: Double = 0.01,
        windows: [Int] = [1, 3, 6, 12]
    ) -> AnomalyDripBound {
        let reference = reference(for: scenario, referenceDays: referenceDays)
        // The reference's first two thirds (whole days) set the expectations, its last third the
        // thresholds: ratios of the days that made the expectation would be too close to 1.
        let referenceFrom = scenario.start.secondsSinceEpoch + Int64(scenario.config.days) * 86_400
        let split = referenceFrom + Int64(referenceDays * 2 / 3) * 86_400
        let episodes = Dictionary(uniqueKeysWithValues: scenario.episodes.map { ($0.id, $0) })
        var lines: [Line] = []
        for measure in Measure.allCases {
            let own = volumes(scenario, measure)
            let normal = volumes(reference, measure).mapValues { $0.filter { $0.time >= referenceFrom } }
            var perWindow = History.allCases.flatMap { history in
                windows.map { Line(history: history, measure: measure, windowHours: $0, caught: 0, total: 0, normalFlagged: 0, normalEvents: 0) }
            }
            for (agent, events) in own {
                guard let reference = normal[agent], !reference.isEmpty else { continue }
                let attacks = scenario.episodes.filter { $0.agentID == agent }
                let dripped = attacks.contains { $0.label == .slowDrip }
                // Normal events are judged on the agent's normal traffic only (an attack's calls
                // would raise the window for hours after it ended).
                let clean = events.filter { $0.episode == nil }
                let weeks = hourOfWeekMeans(reference, from: referenceFrom, to: split)
                // The floor is the agent's scale as the reference shows it (an agent idle in
                // the warm-up would otherwise divide by 0).
                let floor = 0.25 * weeks.reduce(0, +) / Double(weeks.count)
                let warmup = hourOfDayMeans(clean, from: scenario.start.secondsSinceEpoch, to: scenario.warmupEnd.secondsSinceEpoch)
                for (historyIndex, history) in History.allCases.enumerated() {
                    let expected = history == .reference ? weeks : warmup
                    for (windowIndex, hours) in windows.enumerated() {
                        let index = historyIndex * windows.count + windowIndex
                        let ratios = windowRatios(reference, hours: hours, expected: expected, floor: floor)
                        let threshold = quantile(zip(reference, ratios).filter { $0.0.time >= split }.map(\.1), 1 - falsePositiveRate)
                        // Drip events: their window holds everything the agent did.
                        if dripped {
                            for (event, ratio) in zip(events, windowRatios(events, hours: hours, expected: expected, floor: floor)) {
                                guard let id = event.episode, let episode = episodes[id], episode.label == .slowDrip,
                                      event.time >= episode.detectableFrom.secondsSinceEpoch else { continue }
                                perWindow[index].total += 1
                                if ratio > threshold { perWindow[index].caught += 1 }
                            }
                        }
                        for (event, ratio) in zip(clean, windowRatios(clean, hours: hours, expected: expected, floor: floor))
                        where event.time >= scenario.warmupEnd.secondsSinceEpoch
                            && !attacks.contains(where: { event.time >= $0.start.secondsSinceEpoch && event.time < $0.end.secondsSinceEpoch + 900 }) {
                            perWindow[index].normalEvents += 1
                            if ratio > threshold { perWindow[index].normalFlagged += 1 }
                        }
                    }
                }
            }
            lines += perWindow
        }
        return AnomalyDripBound(referenceDays: referenceDays, falsePositiveRate: falsePositiveRate, lines: lines)
    }

    /// "slow-drip bound: …" with the best line and every window.
    public var summary: String {
        guard let best else { return "slow-drip bound: no slow-drip events" }
        let percent = { (value: Double) in String(format: "%.1f", value * 100) }
        var text = "slow-drip bound (a volume detector knowing each agent's normal traffic from \(referenceDays) other days, "
            + "flagging \(percent(falsePositiveRate)) % of it): at best \(percent(best.recall)) % of drip events "
            + "(\(best.measure.rawValue) in the last \(best.windowHours) h; it flags \(percent(best.normalFlaggedRate)) % of "
            + "this scenario's normal events)"
        if let warmup = bestLine(.warmup) {
            text += "\n  with only the scenario's warm-up as its history (hour of the day; thresholds still from the reference): "
                + "at best \(percent(warmup.recall)) % (\(warmup.measure.rawValue), \(warmup.windowHours) h; "
                + "normal \(percent(warmup.normalFlaggedRate)) %)"
        }
        for measure in Measure.allCases {
            text += "\n  \(measure.rawValue):"
            for line in lines where line.measure == measure && line.history == .reference {
                text += "  \(line.windowHours) h \(percent(line.recall)) % (normal \(percent(line.normalFlaggedRate)) %)"
            }
        }
        return text
    }

    struct Volume: Equatable {
        var time: Int64
        var amount: Double
        var episode: Int?
    }

    /// Per agent, its events' times and volume (1 per call, or the catalog cost in dollars), in time order.
    static func volumes(_ scenario: AnomalyScenario, _ measure: Measure) -> [String: [Volume]] {
        var result: [String: [Volume]] = [:]
        for item in scenario.events {
            let event = item.event
            let amount = measure == .calls ? 1 : Double(CostCalculator.price(event, catalog: scenario.catalog).cost.value) / 1e9
            result[event.agentID, default: []].append(Volume(time: event.occurredAt.secondsSinceEpoch, amount: amount, episode: item.episode))
        }
        return result
    }

    /// Mean volume of each hour of the day over the days in [from, to) (whole days), set for
    /// that hour of every day of the week.
    static func hourOfDayMeans(_ volumes: [Volume], from: Int64, to: Int64) -> [Double] {
        var sums = [Double](repeating: 0, count: 24)
        for volume in volumes where volume.time >= from && volume.time < to {
            sums[RiskHourHistory.hourOfWeek(volume.time / 3600) % 24] += volume.amount
        }
        let days = Double(max(1, (to - from) / 86_400))
        return (0..<168).map { sums[$0 % 24] / days }
    }

    /// Mean volume of each hour of the week (UTC; 0 = Monday 00:00) over the hours in [from, to).
    static func hourOfWeekMeans(_ volumes: [Volume], from: Int64, to: Int64) -> [Double] {
        var sums = [Double](repeating: 0, count: 168)
        var hours = [Double](repeating: 0, count: 168)
        for volume in volumes where volume.time >= from && volume.time < to {
            sums[RiskHourHistory.hourOfWeek(volume.time / 3600)] += volume.amount
        }
        var hour = (from + 3599) / 3600
        while hour < to / 3600 {
            hours[RiskHourHistory.hourOfWeek(hour)] += 1
            hour += 1
        }
        return zip(sums, hours).map { $1 > 0 ? $0 / $1 : 0 }
    }

    /// For each event (in time order): (volume in the `hours` ending at it + floor · hours) /
    /// (expected volume of that window + floor · hours).
    static func windowRatios(_ volumes: [Volume], hours: Int, expected: [Double], floor: Double) -> [Double] {
        var ratios: [Double] = []
        ratios.reserveCapacity(volumes.count)
        let span = Int64(hours) * 3600
        var oldest = 0
        var sum = 0.0
        for volume in volumes {
            sum += volume.amount
            while volumes[oldest].time <= volume.time - span {
                sum -= volumes[oldest].amount
                oldest += 1
            }
            var expectation = 0.0
            var from = volume.time - span
            while from < volume.time {
                let to = min((from / 3600 + 1) * 3600, volume.time)
                expectation += expected[RiskHourHistory.hourOfWeek(from / 3600)] * Double(to - from) / 3600
                from = to
            }
            let slack = floor * Double(hours)
            ratios.append((sum + slack) / (expectation + slack))
        }
        return ratios
    }

    /// The sorted values' element at ⌊count · share⌋: at most a (1 − share) part of them lies above it.
    static func quantile(_ values: [Double], _ share: Double) -> Double {
        guard !values.isEmpty else { return .infinity }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * share))]
    }
}
