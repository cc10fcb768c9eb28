/// What the risk scorer remembers about one agent, as a compact value (the anomaly worker keeps
/// it in a Redis string: `encoded()` / `init(decoding:)`, compare-and-set on update).
///
/// Money is exact (`Int64` nanodollars in the minute ring and the hour history). `Double`s are
/// statistics only: logs, ratios, moving rates and deviations.
public struct AgentRiskState: Sendable, Equatable {
    /// Events scored for this agent.
    public internal(set) var eventsSeen: Int64 = 0
    /// Calls and cost per minute, last 16 minutes.
    var minutes = RiskMinuteRing(size: 16)
    /// The highest sustained rate (`RiskScorer.sustainedCalls`) learned at the end of a minute,
    /// and that minute: it halves every `sustainedHalfLifeMinutes` after.
    var sustainedPeak: Double = 0
    var sustainedPeakMinute: Int64 = .min
    /// Per UTC hour of day, the highest sustained rate the agent kept up in that hour (learned
    /// like the peak, with the same weights), in hundredths of a call per minute, and the UTC
    /// day the slots were last decayed to: they halve every `sustainedPaceHalfLifeDays`. A
    /// nightly batch's pace is remembered for the next night, when the 4-hour peak has long
    /// forgotten it.
    var hourPace: [UInt16] = Array(repeating: 0, count: 24)
    var hourPaceDay: Int64 = .min
    /// The highest sustained rate one of the agent's sessions kept up (`RiskScorer.sustainedCalls`
    /// of the session's minutes), learned at the end of a session's minute like the peak, with
    /// the same weights, and that minute: it halves every `sessionPaceHalfLifeDays` after.
    var sessionPace: Double = 0
    var sessionPaceMinute: Int64 = .min
    /// The highest sustained rate any session kept up (noted as each event is scored, whatever
    /// it scored) on the UTC day `sessionDay`, and on the days before it (halving every `sessionPaceHalfLifeDays`).
    var sessionDayPace: Double = 0
    var sessionEarlierPace: Double = 0
    var sessionDay: Int64 = .min
    /// Minutes up to these were touched by a HIGH (MEDIUM) event: they teach the baselines little.
    var quarantineUntilMinute: Int64 = .min
    var suspectUntilMinute: Int64 = .min
    /// ln(nanodollars) per event.
    var eventCost = RiskRunningStat()
    /// ln(1 + input tokens).
    var inputTokens = RiskRunningStat()
    /// ln(1 + output tokens).
    var outputTokens = RiskRunningStat()
    /// cache_read / input, 0…1.
    var cacheHit = RiskRunningStat()
    /// ln((1 + input − cache read) / (1 + output)): uncached input tokens per output token.
    var ioRatio = RiskRunningStat()
    /// ln(nanodollars per 1000 tokens).
    var costPerToken = RiskRunningStat()
    /// Short-term levels (step `recentAlpha`, about the last 3–5 calls) of ln input, ln
    /// output, cache-hit share, ln cost per 1000 tokens and ln uncached input per output token,
    /// and a slow level (step `slowAlpha`, about the last 10–20 calls) of the last: a shift that
    /// persists over several calls is far clearer than one odd call.
    var recentLevels: [Double] = [0, 0, 0, 0, 0, 0]
    /// Moving strength (0…1) of reported costs below the catalog's.
    var underReporting: Double = 0
    /// Models used recently (at most `maxModels`).
    var models: [RiskModelEntry] = []
    /// Decaying maximum of distinct models / providers per switching window seen in normal traffic.
    var normalModels: Double = 0
    var normalProviders: Double = 0
    /// Minutes in which the agent made calls (counted as each ends; capped): with its first
    /// recorded hour, what makes it settled (`RiskScorer.isSettled`).
    var activeMinutes: Int32 = 0
    /// Consecutive minutes with a full rate factor, and the newest of them.
    var violationStreak: Int32 = 0
    var lastViolationMinute: Int64 = .min
    /// Spend and calls per hour of the week.
    public internal(set) var hours = RiskHourHistory()

    static let maxModels = 12
    static let recentAlpha = 0.3
    static let slowAlpha = 0.1
    /// The sustained rate: calls of the `sustainedRank`-th busiest of the last `sustainedMinutes`
    /// minutes (`RiskScorer.sustainedCalls` takes the third quietest of ten: keep them in step).
    static let sustainedMinutes = 10
    static let sustainedRank = 8

    /// `sessionPace`, decayed to `minute`.
    func sessionPace(at minute: Int64, halfLifeDays: Double) -> Double {
        guard sessionPaceMinute != .min, minute > sessionPaceMinute else { return sessionPace }
        return sessionPace * RiskMath.halving(Double(minute - sessionPaceMinute), halfLife: halfLifeDays * 1440)
    }

    /// The highest sustained rate a session kept up on the days before `minute`'s, decayed to it.
    func sessionPaceBefore(_ minute: Int64, halfLifeDays: Double) -> Double {
        guard sessionDay != .min else { return 0 }
        let day = floorDivide(minute, 1440)
        let earlier = day > sessionDay ? max(sessionEarlierPace, sessionDayPace) : sessionEarlierPace
        let days = max(0, day - sessionDay)
        return days == 0 ? earlier : earlier * RiskMath.halving(Double(days), halfLife: halfLifeDays)
    }

    /// `sustainedPeak`, decayed to `minute`.
    func sustainedPeak(at minute: Int64, halfLife: Double) -> Double {
        guard sustainedPeakMinute != .min, minute > sustainedPeakMinute else { return sustainedPeak }
        return sustainedPeak * RiskMath.halving(Double(minute - sustainedPeakMinute), halfLife: halfLife)
    }

    /// The pace kept up at `minute`'s time of day: the highest `hourPace` of its UTC hour and
    /// the two beside it (a nightly job starts a little earlier or later each night), in calls
    /// per minute, decayed to `minute`'s day.
    func timeOfDayPace(at minute: Int64, halfLifeDays: Double) -> Double {
        let slot = Self.hourOfDay(minute)
        let raw = max(hourPace[slot], hourPace[(slot + 23) % 24], hourPace[(slot + 1) % 24])
        return pace(raw, at: minute, halfLifeDays: halfLifeDays)
    }

    /// The pace the agent keeps up at other times of day: the third highest `hourPace` outside
    /// `minute`'s UTC hour and the two beside it (its busy hours, not a job's few), in calls per
    /// minute, decayed to `minute`'s day. A pace at this time of day far above it is a
    /// scheduled job's (a nightly batch), not the agent's everyday traffic.
    func paceElsewhere(at minute: Int64, halfLifeDays: Double) -> Double {
        let slot = Self.hourOfDay(minute)
        var top: (UInt16, UInt16, UInt16) = (0, 0, 0)
        for offset in 2...22 {
            let value = hourPace[(slot + offset) % 24]
            if value > top.0 {
                top = (value, top.0, top.1)
            } else if value > top.1 {
                top = (top.0, value, top.1)
            } else if value > top.2 {
                top.2 = value
            }
        }
        return pace(top.2, at: minute, halfLifeDays: halfLifeDays)
    }

    /// A stored `hourPace` value in calls per minute, decayed from `hourPaceDay` to `minute`'s day.
    private func pace(_ raw: UInt16, at minute: Int64, halfLifeDays: Double) -> Double {
        guard raw > 0 else { return 0 }
        let value = Double(raw) / Self.hourPaceScale
        let days = hourPaceDay == .min ? 0 : floorDivide(minute, 1440) - hourPaceDay
        return days > 0 ? value * RiskMath.halving(Double(days), halfLife: halfLifeDays) : value
    }

    /// The UTC hour of day (0…23) of a minute since the epoch: the `hourPace` slot.
    static func hourOfDay(_ minute: Int64) -> Int {
        Int(minute - floorDivide(minute, 1440) * 1440) / 60
    }

    /// Brings the hour-of-day paces forward to `day` (once per UTC day).
    mutating func decayHourPace(to day: Int64, halfLifeDays: Double) {
        guard day != hourPaceDay else { return }
        if hourPaceDay != .min, day > hourPaceDay {
            let factor = RiskMath.halving(Double(day - hourPaceDay), halfLife: halfLifeDays)
            for slot in hourPace.indices where hourPace[slot] > 0 {
                hourPace[slot] = UInt16((Double(hourPace[slot]) * factor).rounded())
            }
        }
        hourPaceDay = max(hourPaceDay, day)
    }

    static let hourPaceScale = 100.0

    public init() {}

    /// Hours of history behind the hour-of-week baselines.
    public var hoursRecorded: Int64 { hours.hoursRecorded }

    /// What the agent's models were taught, together (see `RiskModelEntry.isEstablished`).
    var modelWeightTotal: Double {
        var total = 0.0
        for entry in models { total += entry.weight }
        return total
    }

    /// The minute the agent's first hour was recorded (when `RiskScorer.isSettled` turns true):
    /// before it, the agent was new.
    var settledFrom: Int64 {
        hours.firstHour == .min ? .max : (hours.firstHour + 3) * 60
    }

    /// Whether the model at `index` is one of the agent's own (`RiskModelEntry.isEstablished`).
    func isEstablished(_ index: Int, at minute: Int64, config: RiskConfig) -> Bool {
        models[index].isEstablished(at: minute, totalWeight: modelWeightTotal, settledFrom: settledFrom, config: config)
    }

    /// Index of the entry for `key`, if any.
    func modelIndex(_ key: UInt64) -> Int? {
        for index in models.indices where models[index].key == key { return index }
        return nil
    }

    /// The learned weight share (of all its models') of the models used in the `window`
    /// minutes ending at `minute` that are not among the agent's `usual` most used models: what
    /// part of its traffic those extra models usually carry.
    func minorModelShare(endingAt minute: Int64, window: Int64, usual: Int) -> Double {
        let total = modelWeightTotal
        guard total > 0 else { return 0 }
        var minor = 0.0
        for entry in models where entry.lastMinute > minute - window {
            // Among the usual few when fewer than `usual` models outweigh it.
            let heavier = models.reduce(0) { $0 + ($1.weight > entry.weight ? 1 : 0) }
            if heavier >= usual { minor += entry.weight }
        }
        return min(1, minor / total)
    }

    /// Distinct models and providers used in the `window` minutes ending at `minute`, how many
    /// of them are new to the agent (a model not established, a provider none of whose models
    /// is established), and the share of the agent's calls that went to the new models since
    /// the first of them appeared in the window (at most the whole window, at least 5 minutes
    /// and 10 calls): a fleet agent's odd call to another model is a sliver of its traffic,
    /// hopping is most of it.
    func distinctInWindow(endingAt minute: Int64, window: Int64, config: RiskConfig)
        -> (models: Int, providers: Int, newModels: Int, newProviders: Int, newShare: Double)
    {
        var modelCount = 0
        var newModels = 0
        var newCalls = 0.0
        var since = minute
        var providers: [UInt64] = []
        var known: [UInt64] = []
        providers.reserveCapacity(models.count)
        known.reserveCapacity(models.count)
        let total = modelWeightTotal
        let settled = settledFrom
        for entry in models {
            let established = entry.isEstablished(at: minute, totalWeight: total, settledFrom: settled, config: config)
            if established, !known.contains(entry.provider) { known.append(entry.provider) }
            guard entry.lastMinute > minute - window else { continue }
            modelCount += 1
            if !established {
                newModels += 1
                // Its calls when first seen in the window; else its calls since first seen,
                // prorated to the window (at least the one in it).
                let age = minute - entry.firstMinute + 1
                newCalls += age <= window ? Double(entry.calls) : max(1, Double(entry.calls) * Double(window) / Double(age))
                since = min(since, age <= window ? entry.firstMinute : minute - window + 1)
            }
            if !providers.contains(entry.provider) { providers.append(entry.provider) }
        }
        var newProviders = 0
        if !known.isEmpty {
            for provider in providers where !known.contains(provider) { newProviders += 1 }
        }
        // At least the last 5 minutes and 10 calls, so the agent's first calls after a pause are
        // no share of their own.
        let calls = self.minutes.calls(last: Int(minute - min(since, minute - 4) + 1), endingAt: minute)
        let newShare = newModels == 0 ? 0 : min(1, newCalls / Double(max(calls, 10)))
        return (modelCount, providers.count, newModels, newProviders, newShare)
    }
}
