/// Everything the risk scorer can be tuned with; `RiskConfig()` is the documented default.
public struct RiskConfig: Sendable, Equatable {
    /// Points per factor (a factor of 1 adds its weight). Default 25 / 30 / 20 / 15 / 10.
    public var weights = RiskWeights()

    /// A single factor at full strength is strong evidence on its own, but its weight alone
    /// (10–30 points) could never reach HIGH. So the score is at least
    /// `singleFactorScore × ramp(strongest factor, singleFactorStart…singleFactorFull)`: one saturated factor
    /// makes HIGH (50), only agreeing factors reach CRITICAL. Set `singleFactorScore` to 0 for
    /// the plain weighted sum. Below `singleFactorStart` a factor counts by its weight only, so
    /// one factor alone makes MEDIUM from 0.875: a rate 3–4× the agent's reference (a
    /// legitimate burst, a first full nightly batch) stays LOW unless another factor agrees.
    /// (From 0.6, i.e. MEDIUM from 0.775, the held-out sweep flagged 15 % more normal events
    /// MEDIUM+ for the same recall at HIGH, which this part does not change.)
    public var singleFactorScore: Double = 50
    public var singleFactorStart: Double = 0.8
    public var singleFactorFull: Double = 0.95

    // Rate
    /// Absolute limits, least severe first (apply from the first event: no history needed).
    public var rateTiers: [RiskRateTier] = [.elevated, .limit]
    /// Once the agent has a day of history, an absolute factor below the last tier is reduced by this share.
    public var matureTierDiscount: Double = 0.6
    /// Sustained rate (calls in the 8th busiest of the last 10 minutes) against the highest the
    /// agent sustained lately (`sustainedPeakStep`, `sustainedHalfLifeMinutes`), or at this time
    /// of day (`sustainedPaceHalfLifeDays`), or
    /// `sustainedHourlyFactor` × this hour-of-week's calls per minute, or 1 call a minute,
    /// whichever is highest: 0 at `low` times, 1 at `high` times (log scale).
    public var sustainedRatio: (low: Double, high: Double) = (1.5, 4)
    /// This hour-of-week's usual calls per minute, times this, is the least sustained rate that counts as usual.
    public var sustainedHourlyFactor: Double = 2
    /// Once the open hour's calls pass `sustainedHourlyVolume` times this
    /// hour-of-week's usual calls (ramp from `low` to `high`), the hourly allowance no longer
    /// applies in full: the sustained rate also counts against the higher of the sustained peak,
    /// the hour's plain usual calls per minute and 1, from `sustainedBeyondRatio.low` to `.high`
    /// times (log scale) — but at most `sustainedRatio` over the pace the agent kept up at this
    /// time of day (a batch that started an hour early is still at its usual pace).
    public var sustainedHourlyVolume: (low: Double, high: Double) = (1.5, 2.5)
    public var sustainedBeyondRatio: (low: Double, high: Double) = (4, 6)
    /// Once the calls of the previous and the open hour pass `sustainedVolume` times what this
    /// hour-of-week's history expects of them so far (ramp from `low` to `high`; each side plus
    /// `sustainedVolumeFloor` calls, so a quiet hour's handful does not make a ratio), the
    /// hourly allowance no longer applies at all: the sustained rate counts against the higher
    /// of the sustained peak, the hour's plain usual calls per minute and 1 with the usual
    /// `sustainedRatio` — at most that over the pace kept up at this time of day, as above.
    /// Unlike the open hour's volume, this window does not start afresh on the hour, so spend
    /// that climbs for hours (a drip 10–30× the agent's normal) stays in view. (With 4→6 the
    /// bolder drip's recall over the held-out runs rose 43.6 → 47.0 %; 3→5 put seed 1's normal
    /// MEDIUM+ up by a quarter, a nightly batch started half an hour early.)
    public var sustainedVolume: (low: Double, high: Double) = (4, 6)
    public var sustainedVolumeFloor: Double = 5
    /// In that case too, where the pace kept up at this time of day is `sustainedJobPace` times
    /// (ramp) the pace the agent keeps up at other hours (`AgentRiskState.paceElsewhere`, at
    /// least 1) — a scheduled job's hour — the sustained rate counts against the usual reference
    /// from `sustainedPaceRatio.low` to `.high` times (log scale).
    public var sustainedPaceRatio: (low: Double, high: Double) = (1.5, 2.5)
    public var sustainedJobPace: (low: Double, high: Double) = (2, 3)
    /// The agent part of the sustained rate counts only from `low` times the pace the agent
    /// keeps up at its other busy hours (`AgentRiskState.paceElsewhere`), fully from `high` (log
    /// scale): an agent keeping up its usual pace at a time of day it was quiet at (an earlier
    /// start, a schedule moved to the night) is not a loop, whatever its decayed peak says.
    public var sustainedElsewhereRatio: (low: Double, high: Double) = (1.5, 3)
    /// Per minute, the sustained peak moves this share of the way up to a higher sustained rate.
    public var sustainedPeakStep: Double = 0.05
    /// A minute that ends while its hour's calls are already this many times this hour-of-week's
    /// usual calls teaches the sustained peak and the time-of-day pace only with
    /// `quarantineWeight`: spend that ramps up slowly (a slow drip) would otherwise walk the
    /// paces it is judged by up with it, since each step is small. A legitimate heavier day
    /// is learned by the hour history instead (over the following days), and the hourly
    /// allowance of twice the usual rate covers much of it meanwhile. Only in an hour the agent
    /// usually spends in (its expectation at least the history's spend floor). (2 flagged one
    /// held-out run's normal events at 1.00 % instead of 0.99 %; 2.5 leaves them all as they were.)
    public var paceLearningHourlyVolume: Double = 2.5
    /// The sustained peak halves every this many minutes.
    public var sustainedHalfLifeMinutes: Double = 240
    /// The sustained pace remembered per UTC hour of day (`AgentRiskState.hourPace`) halves
    /// every this many days (a week: a weekly job is still remembered, at half, next week).
    public var sustainedPaceHalfLifeDays: Double = 7
    /// A session's sustained rate (calls in the 8th busiest of its last 10 minutes) against the
    /// highest of the pace the agent's sessions kept up (`AgentRiskState.sessionPace`, learned
    /// like the peak; and, whatever they scored, on earlier days) and `sessionPaceFloor`:
    /// 0 at `low` times, 1 at `high` times (log scale) — times a ramp of the agent's sustained
    /// rate against its usual reference from `sessionExcess.low` to `.high` times. Both paces
    /// halve every `sessionPaceHalfLifeDays`.
    public var sessionPaceRatio: (low: Double, high: Double) = (2, 3)
    /// Calls a minute below which a session's sustained rate is never judged fast. An agent's
    /// ordinary session is a few calls over a minute or two, so it keeps up no pace at all for
    /// 8 minutes out of 10; a session that keeps calling 1–1.5 times a minute for that long is
    /// 2–3× this floor. (With 1, a loop at 3 calls a minute on a quiet agent — 10–15× its busy
    /// rate, 100+ calls in one session — scored LOW: 44.5 % of such loops were HIGH over the
    /// held-out runs; 70.9 % with 0.5, normal MEDIUM+ 0.32 → 0.34 %. Lower gains nothing.)
    public var sessionPaceFloor: Double = 0.5
    public var sessionExcess: (low: Double, high: Double) = (1.2, 1.6)
    public var sessionPaceHalfLifeDays: Double = 7
    /// Minutes in a row with a full rate factor that make a `rate_violation` breaker signal.
    public var sustainedViolationMinutes: Int32 = 3

    // Spike
    /// A call costing this many times the agent's normal cost per call is a full spike.
    public var spikeFullRatio: Double = 10
    /// A model that is not yet one of the agent's own, costing this many times the agent's
    /// usual cost per 1000 tokens (its calls so far), is a spike from `low` to `high` (log scale).
    public var newModelPriceRatio: (low: Double, high: Double) = (3.5, 8)

    // Efficiency
    /// Token efficiency, per call: the larger robust z of input size and of cost per 1000
    /// tokens (against the model's norm) counts from `low` to `high`…
    public var efficiencySingleZ: (low: Double, high: Double) = (4, 8)
    /// …and over the last few calls, the stuffing score (short-term input rise plus the output
    /// drop and cache-hit drop, these counting at most as much as the rise; in units of the
    /// short-term level's spread) counts from `low` to `high`.
    public var efficiencyStuffingZ: (low: Double, high: Double) = (7, 11)
    /// Uncached input per output token (ln): its short-term level counts when it is both
    /// `ioRatioShift` above the agent's norm (log) and `ioRatioZ` above in units of the level's
    /// spread; one call alone counts from `ioRatioShift` + 1 in log and `efficiencySingleZ` in z;
    /// the slow level (last 10–20 calls) from `ioRatioShift` + 1 in log and `ioRatioZ` in its
    /// own spread, once the short-term input level is `ioRatioShift` above the agent's norm.
    public var ioRatioShift: (low: Double, high: Double) = (1.3, 2.2)
    public var ioRatioZ: (low: Double, high: Double) = (3.5, 6)
    /// Under-reporting: reported below catalog by this fraction counts from `low` to `high`.
    public var underReportFraction: (low: Double, high: Double) = (0.2, 0.6)
    /// Per under-reported event the agent's under-reporting pattern grows by this times the
    /// event's strength (capped at 1); an honest report shrinks it by the same fraction.
    public var underReportStep: Double = 0.5
    /// A repeated under-report counts up to this many times its strength (at most 1): from 40 %
    /// below the catalog, a report that keeps repeating reaches a full factor (HIGH) by its
    /// 4th time (50 % below: its 3rd); one 30 % below stays at half (a stale price).
    public var underReportRepeat: Double = 2

    /// A model first seen this long ago, used alongside the agent's established models in at
    /// least 4 clock hours since, counts as one of the agent's own even if its calls were
    /// flagged (see `RiskModelEntry.isEstablished`).
    public var modelEstablishMinutes: Int64 = 360
    /// Minutes with calls an agent must have shown before its sustained rate is judged against
    /// its own pace (`RiskScorer.hasShownPace`).
    public var paceActiveMinutes: Int32 = 20

    // Switching
    public var switchingWindowMinutes: Int64 = 15
    /// Distinct models / providers in the window that never count as switching.
    public var baseModels: Double = 2
    public var baseProviders: Double = 1
    /// Extra distinct models (providers) over normal that make a full factor.
    public var extraModelsFull: Double = 2.5
    public var extraProvidersFull: Double = 2
    /// Models new to the agent plus providers new to it, in the window: 0 at `low`, full at `high`.
    public var novelty: (low: Double, high: Double) = (1.5, 3.5)
    /// …times a ramp of the share of the agent's calls on those new models (since the first of
    /// them in the window): 0 at `low`, full at `high`.
    public var noveltyShare: (low: Double, high: Double) = (0.03, 0.1)

    // History
    /// Robust z-score (log scale) from `low` to `high`, gated by the spend ratio from `low` to `high`.
    public var historyZ: (low: Double, high: Double) = (3, 5)
    public var historyRatio: (low: Double, high: Double) = (2, 4)
    public var historyMinimumSigma: Double = 0.25
    /// Active hours of history (hours with spend) from which the factor starts to count, and
    /// at which it counts fully.
    public var historyActiveHours: (low: Double, high: Double) = (1, 3)
    /// The drift (CUSUM of hourly z − 1) counts from `low` to `high` while the last hour or
    /// so is at least 1.2× history (full at `historyRatio.low`).
    public var historyDrift: (low: Double, high: Double) = (3, 6)
    /// The spread assumed before the agent's own is learned (it counts as 24 hours of history).
    public var historyPriorSigma: Double = 0.8
    /// Spend below this per hour never counts as a deviation (plus a quarter of the agent's typical hour).
    public var historyMinimumSpend = Nanodollars(10_000)

    // Learning
    /// Step of the moving baselines once warm (≈ the last 1/alpha samples).
    public var baselineAlpha: Double = 0.02
    /// Events before the relative factors count fully (they grow linearly from 5 events).
    public var matureEvents: Int64 = 50
    /// An event scored HIGH or above (MEDIUM) teaches the baselines with this weight only, so
    /// an attack does not become the new normal within minutes.
    public var quarantineWeight: Double = 0.02
    public var suspectWeight: Double = 0.1
    /// An event is suspect (taught with `suspectWeight`) when MEDIUM or any factor reaches this.
    public var suspectFactor: Double = 0.3

    public init() {}

    public static func == (lhs: RiskConfig, rhs: RiskConfig) -> Bool {
        lhs.weights == rhs.weights && lhs.singleFactorScore == rhs.singleFactorScore
            && lhs.singleFactorStart == rhs.singleFactorStart && lhs.singleFactorFull == rhs.singleFactorFull && lhs.rateTiers == rhs.rateTiers
            && lhs.sustainedViolationMinutes == rhs.sustainedViolationMinutes
            && lhs.paceLearningHourlyVolume == rhs.paceLearningHourlyVolume && lhs.sustainedElsewhereRatio == rhs.sustainedElsewhereRatio
            && lhs.spikeFullRatio == rhs.spikeFullRatio && lhs.efficiencySingleZ == rhs.efficiencySingleZ
            && lhs.efficiencyStuffingZ == rhs.efficiencyStuffingZ && lhs.underReportFraction == rhs.underReportFraction
            && lhs.underReportStep == rhs.underReportStep && lhs.underReportRepeat == rhs.underReportRepeat && lhs.switchingWindowMinutes == rhs.switchingWindowMinutes
            && lhs.baseModels == rhs.baseModels && lhs.baseProviders == rhs.baseProviders
            && lhs.extraModelsFull == rhs.extraModelsFull && lhs.extraProvidersFull == rhs.extraProvidersFull
            && lhs.historyZ == rhs.historyZ && lhs.historyRatio == rhs.historyRatio
            && lhs.historyMinimumSigma == rhs.historyMinimumSigma && lhs.historyActiveHours == rhs.historyActiveHours && lhs.historyDrift == rhs.historyDrift && lhs.historyPriorSigma == rhs.historyPriorSigma && lhs.historyMinimumSpend == rhs.historyMinimumSpend
            && lhs.baselineAlpha == rhs.baselineAlpha && lhs.matureEvents == rhs.matureEvents
            && lhs.quarantineWeight == rhs.quarantineWeight
            && lhs.suspectWeight == rhs.suspectWeight && lhs.suspectFactor == rhs.suspectFactor
            && lhs.modelEstablishMinutes == rhs.modelEstablishMinutes && lhs.sustainedRatio == rhs.sustainedRatio && lhs.sustainedPeakStep == rhs.sustainedPeakStep && lhs.sustainedHourlyFactor == rhs.sustainedHourlyFactor
            && lhs.sustainedHalfLifeMinutes == rhs.sustainedHalfLifeMinutes && lhs.sustainedPaceHalfLifeDays == rhs.sustainedPaceHalfLifeDays
            && lhs.sustainedHourlyVolume == rhs.sustainedHourlyVolume && lhs.sessionPaceFloor == rhs.sessionPaceFloor && lhs.sustainedBeyondRatio == rhs.sustainedBeyondRatio && lhs.sustainedVolume == rhs.sustainedVolume && lhs.sustainedVolumeFloor == rhs.sustainedVolumeFloor && lhs.sustainedPaceRatio == rhs.sustainedPaceRatio
            && lhs.sustainedJobPace == rhs.sustainedJobPace
            && lhs.sessionPaceRatio == rhs.sessionPaceRatio && lhs.sessionPaceHalfLifeDays == rhs.sessionPaceHalfLifeDays
            && lhs.sessionExcess == rhs.sessionExcess
            && lhs.newModelPriceRatio == rhs.newModelPriceRatio && lhs.matureTierDiscount == rhs.matureTierDiscount
            && lhs.novelty == rhs.novelty && lhs.paceActiveMinutes == rhs.paceActiveMinutes && lhs.noveltyShare == rhs.noveltyShare && lhs.ioRatioShift == rhs.ioRatioShift && lhs.ioRatioZ == rhs.ioRatioZ
    }
}

/// Points of each factor in the 0–100 score.
public struct RiskWeights: Sendable, Equatable {
    public var rate: Double = 25
    public var spike: Double = 30
    public var efficiency: Double = 20
    public var switching: Double = 15
    public var history: Double = 10

    public init() {}

    public init(rate: Double, spike: Double, efficiency: Double, switching: Double, history: Double) {
        self.rate = rate
        self.spike = spike
        self.efficiency = efficiency
        self.switching = switching
        self.history = history
    }
}
