import CostCore
import PostgresClient

/// The append path: a batch whose events are all new is written with COPY straight into the
/// ledger, `cost_tracking` and the delta tables, one transaction, no staging table and no
/// `ON CONFLICT` (about half the database work of the claim path).
///
/// Exactly once still holds because the ledger's primary key is checked by every COPY'd
/// row: an event_id counted before (committed, or committed meanwhile by a concurrent
/// transaction it waited for) aborts the COPY, the transaction rolls back with nothing
/// written, and the caller falls back to the claim path.
extension EventRecorder {
    struct Appended {
        var inserted: Int
        var sawUnpricedModel: Bool
    }

    /// Writes `events` (distinct event_ids, in ledger key order). Returns nil, having
    /// committed nothing, when the ledger already holds one of them.
    func append(_ events: [PricedEvent], data: (tracking: PGCopyData, ledger: PGCopyData),
                aggregates: BatchAggregates) throws -> Appended? {
        let unpriced = UnpricedModels(events)
        do {
            try db.transaction { tx in
                try tx.copyIn(Self.copyLedgerSQL, data: data.ledger)
                try tx.copyIn(Self.copyTrackingSQL, data: data.tracking)
                try tx.copyIn(Self.copySessionDeltasDirectSQL, data: aggregates.sessionData)
                try tx.copyIn(Self.copyDailyDeltasDirectSQL, data: aggregates.dayData)
                for model in unpriced.models {
                    try tx.query(Self.upsertUnpricedSQL, [model.provider, model.model, model.first.rfc3339,
                                                         model.last.rfc3339, String(model.count)])
                }
            }
        } catch let error as PGError where Self.meansAlreadyCounted(error) {
            return nil
        }
        return Appended(inserted: events.count, sawUnpricedModel: !unpriced.models.isEmpty)
    }

    /// A unique violation can only come from the ledger's key (the other tables written have
    /// none); a deadlock means two batches shared event_ids and locked them in different
    /// orders. The claim path settles both.
    static func meansAlreadyCounted(_ error: PGError) -> Bool {
        error.kind != .connection && (error.sqlState == "23505" || error.sqlState == "40P01")
    }

    static let copyLedgerSQL = "COPY cost_event_ids (event_id, occurred_at) FROM STDIN"
    static let copyTrackingSQL = "COPY cost_tracking (\(columns)) FROM STDIN"
    static let copySessionDeltasDirectSQL = "COPY cost_session_deltas (\(sessionDeltaColumns)) FROM STDIN"
    static let copyDailyDeltasDirectSQL = "COPY daily_cost_deltas (\(dailyDeltaColumns)) FROM STDIN"

    /// Same effect as the claim path's `unpriced` step, for one model.
    static let upsertUnpricedSQL = """
        INSERT INTO unpriced_models AS u (provider, model, first_seen_at, last_seen_at, event_count)
        VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (provider, model) DO UPDATE SET
            first_seen_at = least(u.first_seen_at, excluded.first_seen_at),
            last_seen_at = greatest(u.last_seen_at, excluded.last_seen_at),
            event_count = u.event_count + excluded.event_count
        """

    /// The models of a batch that had no catalog price: when first and last seen, how often.
    struct UnpricedModels {
        struct Model {
            var provider: String
            var model: String
            var first: Timestamp
            var last: Timestamp
            var count: Int
        }

        /// Sorted by (provider, model), so concurrent appends lock the rows in one order.
        let models: [Model]

        init(_ events: [PricedEvent]) {
            var byKey: [String: Model] = [:]
            for priced in events where priced.cost.unpriced {
                let e = priced.event
                // provider cannot contain a space (contract: [a-z0-9_-]), so the key is unambiguous.
                let key = e.provider + " " + e.model
                if var m = byKey[key] {
                    m.first = min(m.first, e.occurredAt)
                    m.last = max(m.last, e.occurredAt)
                    m.count += 1
                    byKey[key] = m
                } else {
                    byKey[key] = Model(provider: e.provider, model: e.model, first: e.occurredAt, last: e.occurredAt, count: 1)
                }
            }
            models = byKey.values.sorted { ($0.provider, $0.model) < ($1.provider, $1.model) }
        }
    }
}
