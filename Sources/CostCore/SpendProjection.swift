/// The spend a period is heading for at its current run rate, for the "projected to exceed
/// before the period ends" alert. Pure: "now" is passed in.
///
///     projectedSpend = floor(spend × (end − start) / (now − start))
///
/// exact (`Int128`), saturating at `Nanodollars.max`. There is no projection (the
/// initializer returns nil) until enough of the period has passed to make the run rate
/// meaningful: the larger of 10 minutes and 5 % of the period (72 minutes of a 24-hour day,
/// about 37 hours of a 31-day month). After the period's end, `now` counts as the end, so the
/// projection is the spend itself.
public struct SpendProjection: Hashable, Sendable {
    public let spend: Nanodollars
    public let periodStart: Timestamp
    public let periodEnd: Timestamp
    /// The moment of the projection, clamped to `periodEnd`.
    public let now: Timestamp
    /// Spend at `periodEnd` if the run rate so far continues.
    public let projectedSpend: Nanodollars

    /// The fixed floor of the minimum elapsed time: 10 minutes.
    public static let minimumElapsedMicroseconds: Int64 = 600_000_000
    /// The share of the period that must have passed: 5 %.
    public static let minimumElapsedPercent: Int64 = 5

    /// Microseconds that must have passed since the period start before projecting:
    /// `max(10 minutes, 5 % of the period)`.
    public static func minimumElapsed(periodStart: Timestamp, periodEnd: Timestamp) -> Int64 {
        let duration = Int128(periodEnd.microsecondsSinceEpoch) - Int128(periodStart.microsecondsSinceEpoch)
        let share = Int64(clamping: duration * Int128(minimumElapsedPercent) / 100)
        return max(minimumElapsedMicroseconds, share)
    }

    /// nil when the period is empty, spend is negative, or less than `minimumElapsed` has
    /// passed since `periodStart` (including `now` before the start): not enough data.
    public init?(spend: Nanodollars, periodStart: Timestamp, periodEnd: Timestamp, now: Timestamp) {
        guard periodStart < periodEnd, spend.value >= 0 else { return nil }
        let clampedNow = min(now, periodEnd)
        let elapsed = Int128(clampedNow.microsecondsSinceEpoch) - Int128(periodStart.microsecondsSinceEpoch)
        guard elapsed >= Int128(Self.minimumElapsed(periodStart: periodStart, periodEnd: periodEnd)) else { return nil }
        let duration = Int128(periodEnd.microsecondsSinceEpoch) - Int128(periodStart.microsecondsSinceEpoch)
        self.spend = spend
        self.periodStart = periodStart
        self.periodEnd = periodEnd
        self.now = clampedNow
        self.projectedSpend = Nanodollars(Int64(clamping: Int128(spend.value) * duration / elapsed))
    }

    /// The projection for `period` (see the other initializer).
    public init?(spend: Nanodollars, period: BudgetPeriod, now: Timestamp) {
        self.init(spend: spend, periodStart: period.start, periodEnd: period.end, now: now)
    }

    /// True when spend has not yet exceeded `limit` but the run rate takes it over `limit`
    /// before the period ends (`spend ≤ limit < projectedSpend`). Once spend is over the
    /// limit, the tier and breaker alerts speak instead.
    public func projectedToExceed(limit: Nanodollars) -> Bool {
        spend <= limit && projectedSpend > limit
    }

    /// The first microsecond at which spend at the current run rate reaches `limit`:
    /// `periodStart + ceil(limit × (now − start) / spend)`. nil when spend is 0, `limit ≤ 0`,
    /// or that moment is not before `periodEnd`. When spend already reached the limit the
    /// result is at or before `now`.
    public func limitReachedAt(limit: Nanodollars) -> Timestamp? {
        guard spend.value > 0, limit.value > 0 else { return nil }
        let elapsed = Int128(now.microsecondsSinceEpoch) - Int128(periodStart.microsecondsSinceEpoch)
        let numerator = Int128(limit.value) * elapsed
        let denominator = Int128(spend.value)
        let offset = (numerator + denominator - 1) / denominator
        let moment = Int128(periodStart.microsecondsSinceEpoch) + offset
        guard moment < Int128(periodEnd.microsecondsSinceEpoch) else { return nil }
        return Timestamp(microsecondsSinceEpoch: Int64(moment))
    }
}
