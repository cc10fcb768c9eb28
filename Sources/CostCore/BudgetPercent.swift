/// Alert tiers and breaker thresholds are whole percents of a limit, `Int` in 1…100
/// (50 means 50 %). Whole percents are enough for alerting, keep stored values and messages
/// readable, and make threshold checks exact integer math (see `SpendThresholds`).
public enum BudgetPercent {
    /// Alert tiers of a budget or credit limit unless set: 50, 75, 85 and 95 %.
    public static let defaultTiers = [50, 75, 85, 95]
    /// A budget's breaker threshold unless set: 90 %.
    public static let defaultBudgetBreaker = 90
    /// A credit limit's breaker threshold unless set: 95 %.
    public static let defaultCreditBreaker = 95
    public static let allowed: ClosedRange<Int> = 1...100

    /// Checks each tier is in 1…100 and returns them sorted, duplicates removed.
    /// An empty list is allowed (no alerts, breaker only).
    public static func validatedTiers(_ tiers: [Int]) throws(BudgetError) -> [Int] {
        for tier in tiers {
            if tier > allowed.upperBound { throw BudgetError("tier \(tier) % is above 100 %") }
            if tier < allowed.lowerBound { throw BudgetError("tier \(tier) % is below 1 %") }
        }
        return Array(Set(tiers)).sorted()
    }

    /// Checks a breaker threshold is in 1…100.
    public static func validatedBreaker(_ percent: Int) throws(BudgetError) -> Int {
        if percent > allowed.upperBound { throw BudgetError("breaker threshold \(percent) % is above 100 %") }
        if percent < allowed.lowerBound { throw BudgetError("breaker threshold \(percent) % is below 1 %") }
        return percent
    }
}
