import CostCore
import Foundation
import Testing

/// What the counters must hold, computed by the test from the events it published (each
/// event_id once), and what PostgreSQL's record says, summed with the test's own SQL.
struct BudgetLedger {
    /// One counter: a budget in one period, or a provider's credit.
    struct Counter: CustomStringConvertible {
        var key: String
        var kind: String
        var subject: String
        var periodKey: String
        var scope: BudgetScope
        var from: Timestamp
        var to: Timestamp?
        var limit: Nanodollars
        var tiers: [Int]
        var breakerPercent: Int
        var expected: Nanodollars

        var description: String { "\(key) (\(scope.text), \(periodKey))" }

        /// `spend × 100 ≥ limit × percent`, in exact integers.
        func reached(_ spend: Nanodollars, _ percent: Int) -> Bool {
            Int128(spend.value) * 100 >= Int128(limit.value) * Int128(percent)
        }

        /// The tier and breaker alerts that must have fired once spend is `spend`, as
        /// "kind|subject|period_key|tier".
        func alerts(at spend: Nanodollars) -> Set<String> {
            var out = Set(tiers.filter { reached(spend, $0) }.map { "\(kind)_tier|\(subject)|\(periodKey)|\($0)" })
            if reached(spend, breakerPercent) { out.insert("\(kind)_breaker|\(subject)|\(periodKey)|\(breakerPercent)") }
            return out
        }
    }

    private(set) var counters: [String: Counter] = [:]

    init(budgets: [BudgetDefinition], credits: [CreditLimit] = [], events: [UsageEvent], cost: (UsageEvent) -> Nanodollars) throws {
        var seen = Set<String>()
        for e in events where seen.insert(e.eventID).inserted {
            let amount = cost(e)
            for b in budgets where b.matches(e) {
                let p = try b.period(containing: e.occurredAt)
                let key = b.counterKey(for: p).spend
                counters[key, default: Counter(key: key, kind: "budget", subject: b.id, periodKey: p.key, scope: b.scope,
                                               from: p.start, to: p.end, limit: b.limit, tiers: b.tiers,
                                               breakerPercent: b.breakerPercent, expected: .zero)].expected += amount
            }
            for c in credits where c.provider == e.provider && e.occurredAt >= c.since {
                let key = c.counterKey.spend
                counters[key, default: Counter(key: key, kind: "credit", subject: c.provider, periodKey: "since-\(c.since.rfc3339)",
                                               scope: .provider(c.provider), from: c.since, to: nil, limit: c.credit,
                                               tiers: c.tiers, breakerPercent: c.breakerPercent, expected: .zero)].expected += amount
            }
        }
    }

    var sorted: [Counter] { counters.values.sorted { $0.key < $1.key } }

    /// Every tier and breaker alert the final spend requires.
    var expectedAlerts: Set<String> {
        sorted.reduce(into: Set<String>()) { $0.formUnion($1.alerts(at: $1.expected)) }
    }

    /// The exact sum of `cost_tracking.cost_usd` for the counter's scope and period.
    static func recorded(_ c: Counter, in db: ScratchDatabase) throws -> Nanodollars {
        var sql = "SELECT coalesce(sum(cost_usd), 0)::text FROM cost_tracking WHERE occurred_at >= $1::timestamptz"
        var params: [String?] = [c.from.rfc3339]
        if let to = c.to {
            sql += " AND occurred_at < $2::timestamptz"
            params.append(to.rfc3339)
        }
        func bind(_ column: String, _ value: String) {
            params.append(value)
            sql += " AND \(column) = $\(params.count)"
        }
        switch c.scope {
        case .global: break
        case .provider(let p): bind("provider", p)
        case .agent(let a): bind("agent_id", a)
        case .session(let s): bind("session_id", s)
        case .tag(let k, let v):
            params.append(k)
            bind("tags ->> $\(params.count)", v)
        }
        let text = try db.scalar(sql, params)
        return try Nanodollars.parseUSD(text)
    }

    /// "key: redis X, expected Y[, postgres Z]" for every counter that differs; empty when all agree.
    func mismatches(_ redis: BudgetRedis, db: ScratchDatabase? = nil) throws -> [String] {
        var out: [String] = []
        for c in sorted {
            let cached = try redis.counter(c.key)
            let recorded = try db.map { try Self.recorded(c, in: $0) }
            if cached != c.expected || (recorded != nil && recorded != c.expected) {
                out.append("\(c): redis \(cached?.decimalString ?? "missing"), expected \(c.expected.decimalString)"
                           + (recorded.map { ", postgres \($0.decimalString)" } ?? ""))
            }
        }
        return out
    }
}
