/// A provider's prepaid credit: the amount bought and the moment from which spend on that
/// provider draws on it. Alerts fire at tiers of the credit (default 50, 75, 85, 95 %) and
/// the provider's breaker trips at 95 % unless set. Unlike a budget, a credit limit has no
/// periods: it counts every event of the provider that occurred at or after `since`.
public struct CreditLimit: Hashable, Sendable {
    /// `^[a-z0-9][a-z0-9_-]{0,31}$`, as in usage events.
    public let provider: String
    /// The prepaid amount, > 0.
    public let credit: Nanodollars
    /// Events that occurred at or after this moment count.
    public let since: Timestamp
    /// Whole percents in 1…100, sorted ascending, unique.
    public let tiers: [Int]
    /// Whole percent in 1…100 at which the provider's breaker trips.
    public let breakerPercent: Int

    private init(provider: String, credit: Nanodollars, since: Timestamp, tiers: [Int], breakerPercent: Int) {
        self.provider = provider
        self.credit = credit
        self.since = since
        self.tiers = tiers
        self.breakerPercent = breakerPercent
    }

    /// Checks, in this order: provider, credit, tiers, breaker threshold. Tiers are sorted and
    /// de-duplicated.
    public static func validated(
        provider: String,
        credit: Nanodollars,
        since: Timestamp,
        tiers: [Int] = BudgetPercent.defaultTiers,
        breakerPercent: Int = BudgetPercent.defaultCreditBreaker
    ) throws(BudgetError) -> CreditLimit {
        guard FieldText.isProviderName(provider) else {
            throw BudgetError("provider must match ^[a-z0-9][a-z0-9_-]{0,31}$ (got \(BudgetError.quoted(provider)))")
        }
        guard credit.value > 0 else {
            throw BudgetError("credit must be greater than $0 (got \(BudgetError.usd(credit)))")
        }
        let tiers = try BudgetPercent.validatedTiers(tiers)
        let breakerPercent = try BudgetPercent.validatedBreaker(breakerPercent)
        return CreditLimit(provider: provider, credit: credit, since: since, tiers: tiers, breakerPercent: breakerPercent)
    }

    /// True when the event is on this provider and occurred at or after `since`.
    public func matches(_ event: UsageEvent) -> Bool {
        event.provider == provider && event.occurredAt >= since
    }

    /// `cost:credit:{<provider>}:<since unix seconds>`.
    public var counterKey: BudgetCounterKey {
        .credit(provider: provider, since: since)
    }

    /// Credit, tiers and breaker threshold, for `evaluate(previous:current:)`.
    public var thresholds: SpendThresholds {
        SpendThresholds(limit: credit, tiers: tiers, breakerPercent: breakerPercent)
    }
}
