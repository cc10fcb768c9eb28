import CostCore
import PostgresClient

/// Writes batches of priced events into `cost_tracking` exactly once per event_id, moving the
/// session and daily aggregates for newly inserted rows only, all in one transaction.
///
/// Owns no connection: the caller passes its `PGConnection` and keeps it on one thread.
public final class EventRecorder {
    let db: PGConnection
    private var knownPartitions: Set<String> = []
    private var stagingReady = false
    /// Set when a batch held an event_id counted before: the next batches take the claim path
    /// (redeliveries come in runs) until one holds none.
    private var claimNextBatches = false

    public init(db: PGConnection) {
        self.db = db
    }

    /// Stores the batch. Duplicate event_ids (within the batch or already stored) are counted
    /// once. Throws a retriable `StoreError` when the database went away: nothing was
    /// committed, so the caller retries the same batch.
    ///
    /// Two ways, same result. Usually every event is new, and the batch is appended with COPY
    /// straight into the ledger, `cost_tracking` and the delta tables (see `append`): the
    /// ledger's primary key still rejects an event_id counted before, which aborts the
    /// transaction. Then (and for the next batches, until one arrives without an already
    /// counted event) the batch takes the claim path: the ledger claims with
    /// `ON CONFLICT DO NOTHING`, and only the rows that were new are stored and counted.
    public func record(_ batch: [PricedEvent]) throws(StoreError) -> RecordOutcome {
        var seen = Set<String>()
        seen.reserveCapacity(batch.count)
        var unique = batch.filter { seen.insert($0.event.eventID).inserted }
        guard !unique.isEmpty else { return RecordOutcome(duplicates: batch.count) }
        // One lock order for every appending worker (byte order), so two batches sharing
        // event_ids wait for each other rather than deadlock. (A deadlock against a claiming
        // worker, which sorts by the database's collation, is detected and settled by claiming.)
        unique.sort { $0.event.eventID.utf8.lexicographicallyPrecedes($1.event.eventID.utf8) }
        let data = Self.copyData(unique)
        let aggregates = BatchAggregates(unique)
        return try store {
            try prepare(months: Self.months(of: unique))
            if !claimNextBatches {
                if let appended = try append(unique, data: data, aggregates: aggregates) {
                    return RecordOutcome(inserted: appended.inserted, duplicates: batch.count - appended.inserted,
                                         sawUnpricedModel: appended.sawUnpricedModel, path: .append)
                }
                claimNextBatches = true
            }
            try prepareStaging()
            let result = try db.transaction { tx -> PGResult in
                try tx.copyIn(Self.copySQL, data: data.tracking)
                try tx.copyIn(Self.copySessionDeltasSQL, data: aggregates.sessionData)
                try tx.copyIn(Self.copyDailyDeltasSQL, data: aggregates.dayData)
                return try tx.query(Self.insertSQL)
            }
            let inserted = Int(result[0, "inserted"] ?? "0") ?? 0
            let unpriced = Int(result[0, "unpriced"] ?? "0") ?? 0
            // Back to appending once a batch held no event counted before.
            if inserted == unique.count { claimNextBatches = false }
            return RecordOutcome(inserted: inserted, duplicates: batch.count - inserted,
                                 sawUnpricedModel: unpriced > 0, path: .claim)
        }
    }

    /// Unpriced models whose one alert has not gone out yet.
    public func modelsAwaitingAlert() throws(StoreError) -> [(provider: String, model: String, firstSeen: String)] {
        try store {
            try db.query("SELECT provider, model, first_seen_at FROM unpriced_models WHERE alerted_at IS NULL ORDER BY 1, 2")
                .rows.map { ($0[0] ?? "", $0[1] ?? "", $0[2] ?? "") }
        }
    }

    /// Records that the alert for (provider, model) went out, so it is never sent again.
    public func markAlerted(provider: String, model: String) throws(StoreError) {
        try store {
            try db.query("UPDATE unpriced_models SET alerted_at = now() WHERE provider = $1 AND model = $2 AND alerted_at IS NULL",
                         [provider, model])
        }
    }

    private func prepareStaging() throws {
        if !stagingReady {
            try db.execute(script: Self.stagingSQL)
            stagingReady = true
        }
    }

    /// The months ("YYYY-MM-01") the events fall in; formatted once per distinct day.
    static func months(of events: [PricedEvent]) -> Set<String> {
        var days = Set<Int64>()
        for e in events { days.insert(e.event.occurredAt.utcDayStart.microsecondsSinceEpoch) }
        return Set(days.map { Timestamp(microsecondsSinceEpoch: $0).utcMonthStartString })
    }

    private func prepare(months: Set<String>) throws {
        for month in months.subtracting(knownPartitions).sorted() {
            try db.query("SELECT cost_tracking_ensure_partition($1::date)", [month])
            knownPartitions.insert(month)
        }
    }

    /// Folds pending aggregate deltas into the totals (see `cost_fold_aggregates`). Returns
    /// the number of total rows touched; 0 when another worker is folding right now.
    @discardableResult
    public func foldAggregates() throws(StoreError) -> Int {
        try store { Int(try db.query("SELECT cost_fold_aggregates() AS n")[0, "n"] ?? "0") ?? 0 }
    }

    /// Forget per-connection state after the caller replaced its connection.
    public func connectionWasReset() {
        stagingReady = false
    }

    /// One event as `cost_tracking` column texts (the batch path encodes the same with
    /// `appendRow(_:to:)`).
    public static func row(_ priced: PricedEvent) -> [String?] {
        let e = priced.event
        let c = priced.cost
        let tags: String? = e.tags.isEmpty ? nil
            : JSONValue.object(e.tags.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }).serialized()
        return [
            e.eventID, e.occurredAt.rfc3339, e.sessionID, e.agentID, e.conversationID, e.provider, e.model,
            String(e.inputTokens), String(e.outputTokens), String(e.cacheReadTokens),
            String(e.cacheWriteTokens), String(e.reasoningTokens),
            c.cost.decimalString, c.source.rawValue, c.catalogCost?.decimalString, e.reportedCost?.decimalString,
            c.costMismatch ? "t" : "f", c.unpriced ? "t" : "f",
            e.latencyMs.map { String($0) }, e.status.rawValue, e.requestID, tags,
        ]
    }

    public static let columns = """
        event_id, occurred_at, session_id, agent_id, conversation_id, provider, model, \
        input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, \
        cost_usd, cost_source, catalog_cost_usd, reported_cost_usd, cost_mismatch, unpriced, \
        latency_ms, status, request_id, tags
        """

}

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while s.first?.isWhitespace == true { s = s.dropFirst() }
        while s.last?.isWhitespace == true { s = s.dropLast() }
        return s
    }
}
