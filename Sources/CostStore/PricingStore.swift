import CostCore
import PostgresClient

/// The `pricing` table: every price with its effective date, so history is kept.
public struct PricingStore {
    private let db: PGConnection

    public init(db: PGConnection) {
        self.db = db
    }

    /// Every row, history included, as a catalog the cost formula can use.
    public func loadCatalog() throws(StoreError) -> PricingCatalog {
        let rows = try store {
            try db.query("""
                SELECT provider, model, to_char(effective_from AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS since,
                       input_usd_per_mtok, output_usd_per_mtok, cache_read_usd_per_mtok,
                       cache_write_usd_per_mtok, reasoning_usd_per_mtok
                FROM pricing ORDER BY provider, model, effective_from
                """).rows
        }
        var prices: [ModelPrice] = []
        prices.reserveCapacity(rows.count)
        for row in rows {
            do {
                guard let provider = row[0], let model = row[1], let since = row[2].flatMap(Timestamp.parseRFC3339),
                      let input = row[3], let output = row[4] else { continue }
                func optional(_ text: String?) throws -> TokenPrice? {
                    try text.map { text throws(MoneyError) in try TokenPrice.perMillionUSD(text) }
                }
                prices.append(ModelPrice(
                    provider: provider, model: model, effectiveFrom: since,
                    input: try TokenPrice.perMillionUSD(input), output: try TokenPrice.perMillionUSD(output),
                    cacheRead: try optional(row[5]), cacheWrite: try optional(row[6]), reasoning: try optional(row[7])))
            } catch {
                throw StoreError(code: .invalidData, message: "pricing row \(row[0] ?? "?")/\(row[1] ?? "?") is unreadable: \(error)",
                                 isRetriable: false)
            }
        }
        return PricingCatalog(prices: prices)
    }

    /// Inserts or replaces prices keyed by (provider, model, effective_from), in one
    /// transaction. Returns how many rows were new.
    @discardableResult
    public func upsert(_ prices: [ModelPrice], source: String) throws(StoreError) -> (inserted: Int, updated: Int) {
        try store {
            try db.transaction { tx in
                var inserted = 0
                for p in prices {
                    let r = try tx.query("""
                        INSERT INTO pricing (provider, model, effective_from, input_usd_per_mtok, output_usd_per_mtok,
                            cache_read_usd_per_mtok, cache_write_usd_per_mtok, reasoning_usd_per_mtok, source)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                        ON CONFLICT (provider, model, effective_from) DO UPDATE SET
                            input_usd_per_mtok = excluded.input_usd_per_mtok,
                            output_usd_per_mtok = excluded.output_usd_per_mtok,
                            cache_read_usd_per_mtok = excluded.cache_read_usd_per_mtok,
                            cache_write_usd_per_mtok = excluded.cache_write_usd_per_mtok,
                            reasoning_usd_per_mtok = excluded.reasoning_usd_per_mtok,
                            source = excluded.source, imported_at = now()
                        RETURNING (xmax = 0) AS fresh
                        """, [p.provider, p.model, p.effectiveFrom.rfc3339, p.input.perMillionUSDString,
                              p.output.perMillionUSDString, p.cacheRead?.perMillionUSDString,
                              p.cacheWrite?.perMillionUSDString, p.reasoning?.perMillionUSDString, source])
                    if r[0, "fresh"] == "t" { inserted += 1 }
                }
                return (inserted, prices.count - inserted)
            }
        }
    }

    /// Prices in force now, one row per model (the `current_pricing` view).
    public func current(provider: String? = nil) throws(StoreError) -> [PGResult.Row] {
        try store {
            let r = try db.query("""
                SELECT provider, model, to_char(effective_from AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS since,
                       input_usd_per_mtok::text, output_usd_per_mtok::text, cache_read_usd_per_mtok::text,
                       cache_write_usd_per_mtok::text, reasoning_usd_per_mtok::text
                FROM current_pricing WHERE $1::text IS NULL OR provider = $1 ORDER BY provider, model
                """, [provider])
            return r.rows.map { PGResult.Row(values: $0) }
        }
    }
}

extension PGResult {
    /// One row of text values, nil for SQL NULL.
    public struct Row: Sendable {
        public let values: [String?]
        public subscript(_ index: Int) -> String? { values[index] }
    }
}
