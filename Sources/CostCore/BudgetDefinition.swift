/// A budget: a spend limit on a scope per calendar day or month, with alert tiers and a
/// breaker threshold. Build it with `validated(...)`, which checks every field and names the
/// first rule broken.
///
/// The worker's flow for each counted event (cost already computed):
/// 1. skip unless `matches(event)`;
/// 2. `period(containing: event.occurredAt)` — the event's own time, so late events count
///    toward the period they happened in;
/// 3. atomically add the cost to `counterKey(for: period).spend`, once per event_id,
///    getting the previous and new totals;
/// 4. `thresholds.evaluate(previous:current:)` says which alerts to fire and whether to trip
///    the breaker; `SpendProjection` says whether the run rate will exceed the limit.
public struct BudgetDefinition: Hashable, Sendable {
    /// 1–64 of `[a-z0-9_.-]`; names the budget in keys, alerts and commands.
    public let id: String
    public let scope: BudgetScope
    public let periodKind: BudgetPeriodKind
    public let timeZone: BudgetTimeZone
    /// Spend allowed per period, > 0.
    public let limit: Nanodollars
    /// Whole percents in 1…100, sorted ascending, unique (default 50, 75, 85, 95).
    public let tiers: [Int]
    /// Whole percent in 1…100 at which the breaker trips (default 90).
    public let breakerPercent: Int

    private init(
        id: String, scope: BudgetScope, periodKind: BudgetPeriodKind, timeZone: BudgetTimeZone,
        limit: Nanodollars, tiers: [Int], breakerPercent: Int
    ) {
        self.id = id
        self.scope = scope
        self.periodKind = periodKind
        self.timeZone = timeZone
        self.limit = limit
        self.tiers = tiers
        self.breakerPercent = breakerPercent
    }

    /// Checks, in this order: id, limit, tiers, breaker threshold, time zone. Tiers are
    /// sorted and de-duplicated. Parse a scope's text form with `BudgetScope(parsing:)` and a
    /// period with `BudgetPeriodKind(parsing:)` first.
    public static func validated(
        id: String,
        scope: BudgetScope,
        periodKind: BudgetPeriodKind,
        timeZone: String = BudgetTimeZone.defaultIdentifier,
        limit: Nanodollars,
        tiers: [Int] = BudgetPercent.defaultTiers,
        breakerPercent: Int = BudgetPercent.defaultBudgetBreaker
    ) throws(BudgetError) -> BudgetDefinition {
        guard FieldText.isTagKey(id) else {
            throw BudgetError("budget id must be 1–64 of [a-z0-9_.-] (got \(BudgetError.quoted(id)))")
        }
        guard limit.value > 0 else {
            throw BudgetError("limit must be greater than $0 (got \(BudgetError.usd(limit)))")
        }
        let tiers = try BudgetPercent.validatedTiers(tiers)
        let breakerPercent = try BudgetPercent.validatedBreaker(breakerPercent)
        let zone = try BudgetTimeZone(identifier: timeZone)
        return BudgetDefinition(
            id: id, scope: scope, periodKind: periodKind, timeZone: zone,
            limit: limit, tiers: tiers, breakerPercent: breakerPercent
        )
    }

    /// True when the event counts toward this budget.
    public func matches(_ event: UsageEvent) -> Bool {
        scope.matches(event)
    }

    /// The period, in this budget's kind and zone, that contains `timestamp` (an event's
    /// `occurredAt`, or "now" for reporting).
    public func period(containing timestamp: Timestamp) throws(BudgetError) -> BudgetPeriod {
        try BudgetPeriod(kind: periodKind, timeZone: timeZone, containing: timestamp)
    }

    /// The Redis keys of this budget's counter in `period`.
    public func counterKey(for period: BudgetPeriod) -> BudgetCounterKey {
        .budget(id: id, period: period)
    }

    /// Limit, tiers and breaker threshold, for `evaluate(previous:current:)`.
    public var thresholds: SpendThresholds {
        SpendThresholds(limit: limit, tiers: tiers, breakerPercent: breakerPercent)
    }
}
