/// Which alert tiers and breaker thresholds a change of spend crosses. Pure, exact integer
/// math (`Int128`, no overflow, no floats).
///
/// Spend "has reached" p % of a limit when `spend × 100 ≥ limit × p`. A tier fires when an
/// increment moves spend from below it to at or above it: `previous < p % ≤ current`. So, when
/// `previous` and `current` come from one atomic counter increment (e.g. Redis `INCRBY`
/// returning the new total, minus the amount added) and each event is counted once, every
/// (budget, period, tier) fires exactly once — also when one increment jumps over several
/// tiers (all of them fire), lands exactly on a tier (it fires) or starts exactly at one
/// (it does not fire again).
public struct SpendThresholds: Hashable, Sendable {
    public let limit: Nanodollars
    /// Whole percents, sorted ascending (see `BudgetPercent`).
    public let tiers: [Int]
    public let breakerPercent: Int

    public init(limit: Nanodollars, tiers: [Int], breakerPercent: Int) {
        self.limit = limit
        self.tiers = tiers
        self.breakerPercent = breakerPercent
    }

    /// The tiers crossed and whether the breaker threshold was crossed when spend went from
    /// `previous` to `current`.
    public func evaluate(previous: Nanodollars, current: Nanodollars) -> SpendCrossing {
        SpendCrossing(
            tiers: Self.crossed(previous: previous, current: current, limit: limit, tiers: tiers),
            breakerTripped: Self.breakerTripped(previous: previous, current: current, limit: limit, percent: breakerPercent)
        )
    }

    /// True when `spend × 100 ≥ limit × percent`.
    public static func hasReached(spend: Nanodollars, limit: Nanodollars, percent: Int) -> Bool {
        Int128(spend.value) * 100 >= Int128(limit.value) * Int128(percent)
    }

    /// The tiers `t` (in the order given) with `previous < t % of limit ≤ current`.
    /// Empty when spend did not grow.
    public static func crossed(previous: Nanodollars, current: Nanodollars, limit: Nanodollars, tiers: [Int]) -> [Int] {
        tiers.filter { tier in
            !hasReached(spend: previous, limit: limit, percent: tier) && hasReached(spend: current, limit: limit, percent: tier)
        }
    }

    /// True when the increment crosses the breaker threshold (`previous < percent % ≤ current`).
    /// A crossing, not a level: spend that stays above the threshold does not trip it again.
    public static func breakerTripped(previous: Nanodollars, current: Nanodollars, limit: Nanodollars, percent: Int) -> Bool {
        !hasReached(spend: previous, limit: limit, percent: percent) && hasReached(spend: current, limit: limit, percent: percent)
    }

    /// `floor(spend × 10 000 / limit)`: 10 000 is 100 %; may exceed 10 000 when over the
    /// limit. 0 when `limit ≤ 0`.
    public static func utilizationBasisPoints(spend: Nanodollars, limit: Nanodollars) -> Int {
        guard limit.value > 0 else { return 0 }
        let numerator = Int128(spend.value) * 10_000
        let denominator = Int128(limit.value)
        var quotient = numerator / denominator
        if numerator % denominator != 0 && numerator < 0 { quotient -= 1 }  // floor, not truncation
        return Int(clamping: quotient)
    }
}
