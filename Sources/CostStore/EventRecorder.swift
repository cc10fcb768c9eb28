import CostCore
import PostgresClient

/// Writes batches of priced events into `cost_tracking` exactly once per event_id, moving the
/// session and daily aggregates for newly inserted rows only, all in one transaction.
///
/// Owns no connection: the caller passes its `PGConnection` and keeps it on one thread.
public final class EventRecorder {
    private let db: PGConnection
    private var knownPartitions: Set<String> = []
    private var stagingReady = false

    public init(db: PGConnection) {
        self.db = db
    }

    /// Stores the batch. Duplicate event_ids (within the batch or already stored) are counted
    /// once. Throws a retriable `StoreError` when the database went away: nothing was
    /// committed, so the caller retries the same batch.
    public func record(_ batch: [PricedEvent]) throws(StoreError) -> RecordOutcome {
        var seen = Set<String>()
        seen.reserveCapacity(batch.count)
        let unique = batch.filter { seen.insert($0.event.eventID).inserted }
        guard !unique.isEmpty else { return RecordOutcome() }
        let rows = unique.map(Self.row)
        return try store {
            try prepare(months: Set(unique.map { $0.event.occurredAt.utcMonthStartString }))
            let result = try db.transaction { tx -> PGResult in
                try tx.copyIn(Self.copySQL, rows: rows)
                return try tx.query(Self.insertSQL)
            }
            let inserted = Int(result[0, "inserted"] ?? "0") ?? 0
            let unpriced = Int(result[0, "unpriced"] ?? "0") ?? 0
            return RecordOutcome(inserted: inserted, duplicates: batch.count - inserted,
                                 sawUnpricedModel: unpriced > 0)
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

    private func prepare(months: Set<String>) throws {
        if !stagingReady {
            try db.execute(script: Self.stagingSQL)
            stagingReady = true
        }
        for month in months.subtracting(knownPartitions).sorted() {
            try db.query("SELECT cost_tracking_ensure_partition($1::date)", [month])
            knownPartitions.insert(month)
        }
    }

    /// Forget per-connection state after the caller replaced its connection.
    public func connectionWasReset() {
        stagingReady = false
    }

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

    static let stagingSQL = """
        CREATE TEMP TABLE IF NOT EXISTS persist_batch (
            event_id text, occurred_at timestamptz, session_id text, agent_id text,
            conversation_id text, provider text, model text, input_tokens bigint,
            output_tokens bigint, cache_read_tokens bigint, cache_write_tokens bigint,
            reasoning_tokens bigint, cost_usd numeric(20,9), cost_source text,
            catalog_cost_usd numeric(20,9), reported_cost_usd numeric(20,9), cost_mismatch boolean,
            unpriced boolean, latency_ms integer, status text, request_id text, tags jsonb
        ) ON COMMIT DELETE ROWS
        """

    static let copySQL = "COPY persist_batch (\(columns)) FROM STDIN"

    /// Rows are taken in key order everywhere so that concurrent workers lock in the same
    /// order and cannot deadlock.
    static let insertSQL = """
        WITH fresh AS (
            INSERT INTO cost_event_ids (event_id, occurred_at)
            SELECT event_id, occurred_at FROM persist_batch ORDER BY event_id
            ON CONFLICT (event_id) DO NOTHING
            RETURNING event_id
        ), ins AS (
            INSERT INTO cost_tracking (\(columns))
            SELECT \(columns.split(separator: ",").map { "b." + $0.trimmingSpaces }.joined(separator: ", "))
            FROM persist_batch b JOIN fresh f ON f.event_id = b.event_id
            RETURNING session_id, agent_id, occurred_at, provider, model, status, unpriced, input_tokens,
                      output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, cost_usd
        ), sess AS (
            INSERT INTO cost_sessions AS s (session_id, agent_id, first_event_at, last_event_at, event_count,
                input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, total_cost_usd)
            SELECT session_id, min(agent_id), min(occurred_at), max(occurred_at), count(*), sum(input_tokens),
                   sum(output_tokens), sum(cache_read_tokens), sum(cache_write_tokens), sum(reasoning_tokens), sum(cost_usd)
            FROM ins GROUP BY session_id ORDER BY session_id
            ON CONFLICT (session_id) DO UPDATE SET
                first_event_at = least(s.first_event_at, excluded.first_event_at),
                last_event_at = greatest(s.last_event_at, excluded.last_event_at),
                event_count = s.event_count + excluded.event_count,
                input_tokens = s.input_tokens + excluded.input_tokens,
                output_tokens = s.output_tokens + excluded.output_tokens,
                cache_read_tokens = s.cache_read_tokens + excluded.cache_read_tokens,
                cache_write_tokens = s.cache_write_tokens + excluded.cache_write_tokens,
                reasoning_tokens = s.reasoning_tokens + excluded.reasoning_tokens,
                total_cost_usd = s.total_cost_usd + excluded.total_cost_usd,
                updated_at = now()
            RETURNING 1
        ), daily AS (
            INSERT INTO daily_cost_summary AS d (day, agent_id, provider, model, event_count, error_count,
                unpriced_count, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
                reasoning_tokens, total_cost_usd)
            SELECT (occurred_at AT TIME ZONE 'UTC')::date, agent_id, provider, model, count(*),
                   count(*) FILTER (WHERE status <> 'success'), count(*) FILTER (WHERE unpriced),
                   sum(input_tokens), sum(output_tokens), sum(cache_read_tokens), sum(cache_write_tokens),
                   sum(reasoning_tokens), sum(cost_usd)
            FROM ins GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
            ON CONFLICT (day, agent_id, provider, model) DO UPDATE SET
                event_count = d.event_count + excluded.event_count,
                error_count = d.error_count + excluded.error_count,
                unpriced_count = d.unpriced_count + excluded.unpriced_count,
                input_tokens = d.input_tokens + excluded.input_tokens,
                output_tokens = d.output_tokens + excluded.output_tokens,
                cache_read_tokens = d.cache_read_tokens + excluded.cache_read_tokens,
                cache_write_tokens = d.cache_write_tokens + excluded.cache_write_tokens,
                reasoning_tokens = d.reasoning_tokens + excluded.reasoning_tokens,
                total_cost_usd = d.total_cost_usd + excluded.total_cost_usd,
                updated_at = now()
            RETURNING 1
        ), unpriced AS (
            INSERT INTO unpriced_models AS u (provider, model, first_seen_at, last_seen_at, event_count)
            SELECT provider, model, min(occurred_at), max(occurred_at), count(*)
            FROM ins WHERE unpriced GROUP BY 1, 2 ORDER BY 1, 2
            ON CONFLICT (provider, model) DO UPDATE SET
                first_seen_at = least(u.first_seen_at, excluded.first_seen_at),
                last_seen_at = greatest(u.last_seen_at, excluded.last_seen_at),
                event_count = u.event_count + excluded.event_count
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM ins) AS inserted, (SELECT count(*) FROM sess) AS sessions,
               (SELECT count(*) FROM daily) AS days, (SELECT count(*) FROM unpriced) AS unpriced
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
