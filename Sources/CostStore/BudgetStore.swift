import CostCore
import PostgresClient

/// Budgets, credit limits and alerts in PostgreSQL (migration 2).
public struct BudgetStore {
    private let db: PGConnection

    public init(db: PGConnection) {
        self.db = db
    }

    // MARK: budgets

    public func budgets() throws(StoreError) -> [BudgetDefinition] {
        let rows = try store {
            try db.query("""
                SELECT id, scope, period, time_zone, limit_usd::text, array_to_string(tiers, ','), breaker_percent
                FROM budgets ORDER BY id
                """).rows
        }
        return try rows.map { r throws(StoreError) in
            do {
                return try BudgetDefinition.validated(
                    id: r[0] ?? "", scope: try BudgetScope(parsing: r[1] ?? ""),
                    periodKind: try BudgetPeriodKind(parsing: r[2] ?? ""), timeZone: r[3] ?? "UTC",
                    limit: try Nanodollars.parseUSD(r[4] ?? ""), tiers: Self.ints(r[5]),
                    breakerPercent: Int(r[6] ?? "") ?? 90)
            } catch {
                throw StoreError(code: .invalidData, message: "budget \(r[0] ?? "?") is unreadable: \(error)", isRetriable: false)
            }
        }
    }

    /// Inserts or replaces the budget with this id. Returns true when it was new.
    @discardableResult
    public func upsert(_ b: BudgetDefinition) throws(StoreError) -> Bool {
        try store {
            try db.query("""
                INSERT INTO budgets (id, scope, period, time_zone, limit_usd, tiers, breaker_percent)
                VALUES ($1, $2, $3, $4, $5, string_to_array($6, ',')::integer[], $7)
                ON CONFLICT (id) DO UPDATE SET scope = excluded.scope, period = excluded.period,
                    time_zone = excluded.time_zone, limit_usd = excluded.limit_usd, tiers = excluded.tiers,
                    breaker_percent = excluded.breaker_percent, updated_at = now()
                RETURNING (xmax = 0) AS fresh
                """, [b.id, b.scope.text, b.periodKind.rawValue, b.timeZone.identifier, b.limit.decimalString,
                      b.tiers.map(String.init).joined(separator: ","), String(b.breakerPercent)])[0, "fresh"] == "t"
        }
    }

    /// Removes a budget; false when there was none with this id.
    public func removeBudget(id: String) throws(StoreError) -> Bool {
        try store { try db.query("DELETE FROM budgets WHERE id = $1", [id]).affectedRows > 0 }
    }

    // MARK: credit limits

    public func creditLimits() throws(StoreError) -> [CreditLimit] {
        let rows = try store {
            try db.query("""
                SELECT provider, credit_usd::text,
                       to_char(since AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                       array_to_string(tiers, ','), breaker_percent
                FROM credit_limits ORDER BY provider
                """).rows
        }
        return try rows.map { r throws(StoreError) in
            do {
                guard let since = r[2].flatMap(Timestamp.parseRFC3339) else { throw BudgetError("unreadable since") }
                return try CreditLimit.validated(provider: r[0] ?? "", credit: try Nanodollars.parseUSD(r[1] ?? ""),
                                                 since: since, tiers: Self.ints(r[3]), breakerPercent: Int(r[4] ?? "") ?? 95)
            } catch {
                throw StoreError(code: .invalidData, message: "credit limit \(r[0] ?? "?") is unreadable: \(error)", isRetriable: false)
            }
        }
    }

    @discardableResult
    public func upsert(_ c: CreditLimit) throws(StoreError) -> Bool {
        try store {
            try db.query("""
                INSERT INTO credit_limits (provider, credit_usd, since, tiers, breaker_percent)
                VALUES ($1, $2, $3, string_to_array($4, ',')::integer[], $5)
                ON CONFLICT (provider) DO UPDATE SET credit_usd = excluded.credit_usd, since = excluded.since,
                    tiers = excluded.tiers, breaker_percent = excluded.breaker_percent, updated_at = now()
                RETURNING (xmax = 0) AS fresh
                """, [c.provider, c.credit.decimalString, c.since.rfc3339,
                      c.tiers.map(String.init).joined(separator: ","), String(c.breakerPercent)])[0, "fresh"] == "t"
        }
    }

    public func removeCreditLimit(provider: String) throws(StoreError) -> Bool {
        try store { try db.query("DELETE FROM credit_limits WHERE provider = $1", [provider]).affectedRows > 0 }
    }

    // MARK: spend from the record

    /// Exact spend recorded in `cost_tracking` for a scope between two instants.
    public func recordedSpend(scope: BudgetScope, provider: String? = nil, from: Timestamp, to: Timestamp) throws(StoreError) -> Nanodollars {
        let (condition, value) = Self.condition(scope)
        var params: [String?] = [from.rfc3339, to.rfc3339]
        var sql = "SELECT coalesce(sum(cost_usd), 0)::text AS s FROM cost_tracking WHERE occurred_at >= $1 AND occurred_at < $2"
        if let condition {
            params.append(contentsOf: value)
            sql += " AND " + condition
        }
        let text = try store { try db.query(sql, params)[0, "s"] ?? "0" }
        do { return try Nanodollars.parseUSD(text) } catch {
            throw StoreError(code: .invalidData, message: "unreadable sum \(text)", isRetriable: false)
        }
    }

    static func condition(_ scope: BudgetScope) -> (String?, [String?]) {
        switch scope {
        case .global: return (nil, [])
        case .provider(let p): return ("provider = $3", [p])
        case .agent(let a): return ("agent_id = $3", [a])
        case .session(let s): return ("session_id = $3", [s])
        case .tag(let k, let v): return ("tags ->> $3 = $4", [k, v])
        }
    }

    static func ints(_ text: String?) -> [Int] {
        (text ?? "").split(separator: ",").compactMap { Int($0) }
    }
}
