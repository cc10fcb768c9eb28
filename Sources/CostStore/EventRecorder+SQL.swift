extension EventRecorder {
    static let sessionDeltaColumns = """
        session_id, agent_id, first_event_at, last_event_at, event_count, input_tokens, output_tokens, \
        cache_read_tokens, cache_write_tokens, reasoning_tokens, total_cost_usd
        """

    static let dailyDeltaColumns = """
        day, agent_id, provider, model, event_count, error_count, unpriced_count, input_tokens, output_tokens, \
        cache_read_tokens, cache_write_tokens, reasoning_tokens, total_cost_usd
        """

    /// Session-scoped staging tables, emptied at every commit.
    static let stagingSQL = """
        CREATE TEMP TABLE IF NOT EXISTS persist_batch (
            event_id text, occurred_at timestamptz, session_id text, agent_id text,
            conversation_id text, provider text, model text, input_tokens bigint,
            output_tokens bigint, cache_read_tokens bigint, cache_write_tokens bigint,
            reasoning_tokens bigint, cost_usd numeric(20,9), cost_source text,
            catalog_cost_usd numeric(20,9), reported_cost_usd numeric(20,9), cost_mismatch boolean,
            unpriced boolean, latency_ms integer, status text, request_id text, tags jsonb
        ) ON COMMIT DELETE ROWS;
        CREATE TEMP TABLE IF NOT EXISTS persist_session_deltas
            (LIKE cost_session_deltas INCLUDING DEFAULTS) ON COMMIT DELETE ROWS;
        CREATE TEMP TABLE IF NOT EXISTS persist_daily_deltas
            (LIKE daily_cost_deltas INCLUDING DEFAULTS) ON COMMIT DELETE ROWS;
        """

    static let copySQL = "COPY persist_batch (\(columns)) FROM STDIN"
    static let copySessionDeltasSQL = "COPY persist_session_deltas (\(sessionDeltaColumns)) FROM STDIN"
    static let copyDailyDeltasSQL = "COPY persist_daily_deltas (\(dailyDeltaColumns)) FROM STDIN"

    /// One statement: claim the batch's event_ids in the ledger (in key order, so concurrent
    /// workers lock in the same order and cannot deadlock), store the rows that were new, and
    /// append the batch's aggregate deltas, minus what the already-counted rows contributed
    /// (usually none), so the aggregates move for new rows only.
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
            RETURNING provider, model, occurred_at, unpriced
        ), dup AS (
            SELECT * FROM persist_batch b WHERE NOT EXISTS (SELECT 1 FROM fresh f WHERE f.event_id = b.event_id)
        ), sess AS (
            INSERT INTO cost_session_deltas (\(sessionDeltaColumns))
            SELECT \(sessionDeltaColumns) FROM persist_session_deltas
            UNION ALL
            SELECT session_id, min(agent_id), min(occurred_at), max(occurred_at), -count(*), -sum(input_tokens),
                   -sum(output_tokens), -sum(cache_read_tokens), -sum(cache_write_tokens), -sum(reasoning_tokens),
                   -sum(cost_usd)
            FROM dup GROUP BY session_id
            RETURNING 1
        ), daily AS (
            INSERT INTO daily_cost_deltas (\(dailyDeltaColumns))
            SELECT \(dailyDeltaColumns) FROM persist_daily_deltas
            UNION ALL
            SELECT (occurred_at AT TIME ZONE 'UTC')::date, agent_id, provider, model, -count(*),
                   -count(*) FILTER (WHERE status <> 'success'), -count(*) FILTER (WHERE unpriced),
                   -sum(input_tokens), -sum(output_tokens), -sum(cache_read_tokens), -sum(cache_write_tokens),
                   -sum(reasoning_tokens), -sum(cost_usd)
            FROM dup GROUP BY 1, 2, 3, 4
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
