import CostCore

/// One counter an event moves: a budget's counter for the period of the event's
/// `occurred_at`, or a provider's credit counter.
struct CounterTarget: Hashable {
    enum Kind: String { case budget, credit }

    let kind: Kind
    /// Budget id or provider.
    let subject: String
    let scope: String
    let key: String
    let periodKey: String
    let periodStart: Timestamp
    /// nil for credits, which run until changed.
    let periodEnd: Timestamp?
    let thresholds: SpendThresholds
    /// What the breaker signal and its `reason` field say: `daily_budget_90pct`,
    /// `monthly_budget_90pct` or `provider_credits_95pct`.
    let breakerReason: String

    /// Seconds a new counter lives: its period plus 35 days, so last period stays visible.
    func ttlSeconds(now: Timestamp) -> Int64 {
        let day: Int64 = 86_400
        guard let end = periodEnd else { return 400 * day }
        return max(0, (end.microsecondsSinceEpoch - now.microsecondsSinceEpoch) / 1_000_000) + 35 * day
    }
}

/// The budgets and credit limits in force, and which counters an event moves.
struct BudgetRules {
    let budgets: [BudgetDefinition]
    let credits: [CreditLimit]
    /// The last period computed per budget: most events fall in the same one.
    private var lastPeriod: [String: BudgetPeriod] = [:]

    init(budgets: [BudgetDefinition], credits: [CreditLimit]) {
        self.budgets = budgets
        self.credits = credits
    }

    var isEmpty: Bool { budgets.isEmpty && credits.isEmpty }

    mutating func targets(for event: UsageEvent) throws(BudgetError) -> [CounterTarget] {
        var out: [CounterTarget] = []
        for b in budgets where b.matches(event) {
            let period: BudgetPeriod
            if let p = lastPeriod[b.id], p.contains(event.occurredAt) {
                period = p
            } else {
                period = try b.period(containing: event.occurredAt)
                lastPeriod[b.id] = period
            }
            out.append(CounterTarget(kind: .budget, subject: b.id, scope: b.scope.text, key: b.counterKey(for: period).spend,
                                     periodKey: period.key, periodStart: period.start, periodEnd: period.end,
                                     thresholds: SpendThresholds(limit: b.limit, tiers: b.tiers, breakerPercent: b.breakerPercent),
                                     breakerReason: Self.breakerReason(b)))
        }
        for c in credits where c.matches(event) {
            out.append(CounterTarget(kind: .credit, subject: c.provider, scope: "provider:\(c.provider)", key: c.counterKey.spend,
                                     periodKey: "since-\(c.since.rfc3339)", periodStart: c.since, periodEnd: nil,
                                     thresholds: c.thresholds, breakerReason: "provider_credits_\(c.breakerPercent)pct"))
        }
        return out
    }

    static func breakerReason(_ b: BudgetDefinition) -> String {
        "\(b.periodKind == .day ? "daily" : "monthly")_budget_\(b.breakerPercent)pct"
    }

    /// Every counter of the periods in force at `now`, and of the period before (late events
    /// still count there): what a rebuild restores.
    func currentTargets(now: Timestamp) throws(BudgetError) -> [(target: CounterTarget, scope: BudgetScope, provider: String?)] {
        var out: [(CounterTarget, BudgetScope, String?)] = []
        for b in budgets {
            let current = try b.period(containing: now)
            let previous = try b.period(containing: current.start.adding(microseconds: -1))
            for p in [previous, current] {
                out.append((CounterTarget(kind: .budget, subject: b.id, scope: b.scope.text, key: b.counterKey(for: p).spend,
                                          periodKey: p.key, periodStart: p.start, periodEnd: p.end,
                                          thresholds: SpendThresholds(limit: b.limit, tiers: b.tiers,
                                                                      breakerPercent: b.breakerPercent),
                                          breakerReason: Self.breakerReason(b)),
                            b.scope, nil))
            }
        }
        for c in credits {
            out.append((CounterTarget(kind: .credit, subject: c.provider, scope: "provider:\(c.provider)", key: c.counterKey.spend,
                                      periodKey: "since-\(c.since.rfc3339)", periodStart: c.since, periodEnd: nil,
                                      thresholds: c.thresholds, breakerReason: "provider_credits_\(c.breakerPercent)pct"),
                        .provider(c.provider), c.provider))
        }
        return out
    }
}
