extension Migration {
    /// The system of record: usage events (partitioned by month), the idempotency ledger,
    /// per-session and per-day aggregates, and the pricing catalog with its history.
    static let initialSchema = Migration(version: 1, name: "initial schema", sql: #"""
    -- One row per event_id ever counted. cost_tracking is partitioned by month, and
    -- PostgreSQL cannot enforce a unique key across partitions that does not include the
    -- partition key; this narrow table makes "one event_id is counted once" hold globally.
    CREATE TABLE cost_event_ids (
        event_id    text PRIMARY KEY,
        occurred_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE cost_tracking (
        event_id           text NOT NULL,
        occurred_at        timestamptz NOT NULL,
        recorded_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
        session_id         text NOT NULL,
        agent_id           text NOT NULL,
        conversation_id    text,
        provider           text NOT NULL,
        model              text NOT NULL,
        input_tokens       bigint NOT NULL CHECK (input_tokens >= 0),
        output_tokens      bigint NOT NULL CHECK (output_tokens >= 0),
        cache_read_tokens  bigint NOT NULL DEFAULT 0,
        cache_write_tokens bigint NOT NULL DEFAULT 0,
        reasoning_tokens   bigint NOT NULL DEFAULT 0,
        cost_usd           numeric(20,9) NOT NULL CHECK (cost_usd >= 0),
        cost_source        text NOT NULL CHECK (cost_source IN ('catalog', 'reported', 'fallback')),
        catalog_cost_usd   numeric(20,9),
        reported_cost_usd  numeric(20,9),
        cost_mismatch      boolean NOT NULL DEFAULT false,
        unpriced           boolean NOT NULL DEFAULT false,
        latency_ms         integer,
        status             text NOT NULL DEFAULT 'success',
        request_id         text,
        tags               jsonb
    ) PARTITION BY RANGE (occurred_at);
    -- Uniqueness of event_id is enforced by cost_event_ids, written in the same statement;
    -- a B-tree here would double the index work of every write. Time-range scans use BRIN.
    CREATE INDEX cost_tracking_time ON cost_tracking USING brin (occurred_at);

    -- Creates the month's partition if it is missing; safe to call concurrently.
    CREATE FUNCTION cost_tracking_ensure_partition(p_month date) RETURNS void
    LANGUAGE plpgsql AS $fn$
    DECLARE
        first_day date := date_trunc('month', p_month)::date;
        next_first date := (date_trunc('month', p_month) + interval '1 month')::date;
        part text := format('cost_tracking_%s', to_char(first_day, 'YYYY_MM'));
    BEGIN
        IF to_regclass(part) IS NOT NULL THEN RETURN; END IF;
        EXECUTE format('CREATE TABLE %I PARTITION OF cost_tracking FOR VALUES FROM (%L) TO (%L)',
                       part, first_day::text || ' 00:00:00+00', next_first::text || ' 00:00:00+00');
    EXCEPTION WHEN duplicate_table OR unique_violation THEN
        NULL; -- another worker created it first
    END
    $fn$;

    -- Partitions from two years back to a year ahead; workers add others on demand.
    SELECT cost_tracking_ensure_partition(m::date)
    FROM generate_series(date_trunc('month', now()) - interval '24 months',
                         date_trunc('month', now()) + interval '12 months',
                         interval '1 month') AS m;

    -- Aggregates. Each batch appends one delta row per session and per (day, agent, provider,
    -- model) it touched, in the transaction that stores its events, so the aggregates are
    -- always exact; workers fold the deltas into the totals every few seconds
    -- (cost_fold_aggregates). Read the views cost_sessions and daily_cost_summary.
    CREATE TABLE cost_session_totals (
        session_id         text PRIMARY KEY,
        agent_id           text NOT NULL,
        first_event_at     timestamptz NOT NULL,
        last_event_at      timestamptz NOT NULL,
        event_count        bigint NOT NULL,
        input_tokens       bigint NOT NULL,
        output_tokens      bigint NOT NULL,
        cache_read_tokens  bigint NOT NULL,
        cache_write_tokens bigint NOT NULL,
        reasoning_tokens   bigint NOT NULL,
        total_cost_usd     numeric(20,9) NOT NULL,
        updated_at         timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE cost_session_deltas (LIKE cost_session_totals INCLUDING DEFAULTS);

    -- Per UTC day, agent, provider and model.
    CREATE TABLE daily_cost_totals (
        day                date NOT NULL,
        agent_id           text NOT NULL,
        provider           text NOT NULL,
        model              text NOT NULL,
        event_count        bigint NOT NULL,
        error_count        bigint NOT NULL,
        unpriced_count     bigint NOT NULL,
        input_tokens       bigint NOT NULL,
        output_tokens      bigint NOT NULL,
        cache_read_tokens  bigint NOT NULL,
        cache_write_tokens bigint NOT NULL,
        reasoning_tokens   bigint NOT NULL,
        total_cost_usd     numeric(20,9) NOT NULL,
        updated_at         timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (day, agent_id, provider, model)
    );
    CREATE TABLE daily_cost_deltas (LIKE daily_cost_totals INCLUDING DEFAULTS);

    CREATE VIEW cost_sessions AS
        SELECT session_id, min(agent_id) AS agent_id, min(first_event_at) AS first_event_at,
               max(last_event_at) AS last_event_at, sum(event_count)::bigint AS event_count,
               sum(input_tokens)::bigint AS input_tokens, sum(output_tokens)::bigint AS output_tokens,
               sum(cache_read_tokens)::bigint AS cache_read_tokens, sum(cache_write_tokens)::bigint AS cache_write_tokens,
               sum(reasoning_tokens)::bigint AS reasoning_tokens, sum(total_cost_usd) AS total_cost_usd,
               max(updated_at) AS updated_at
        FROM (SELECT * FROM cost_session_totals UNION ALL SELECT * FROM cost_session_deltas) s
        GROUP BY session_id;

    CREATE VIEW daily_cost_summary AS
        SELECT day, agent_id, provider, model, sum(event_count)::bigint AS event_count,
               sum(error_count)::bigint AS error_count, sum(unpriced_count)::bigint AS unpriced_count,
               sum(input_tokens)::bigint AS input_tokens, sum(output_tokens)::bigint AS output_tokens,
               sum(cache_read_tokens)::bigint AS cache_read_tokens, sum(cache_write_tokens)::bigint AS cache_write_tokens,
               sum(reasoning_tokens)::bigint AS reasoning_tokens, sum(total_cost_usd) AS total_cost_usd,
               max(updated_at) AS updated_at
        FROM (SELECT * FROM daily_cost_totals UNION ALL SELECT * FROM daily_cost_deltas) d
        GROUP BY day, agent_id, provider, model;

    -- Folds pending deltas into the totals; returns the number of delta rows folded. One
    -- caller at a time (others return 0 at once); exact under concurrency, since a delta row
    -- is deleted and added in the same transaction.
    CREATE FUNCTION cost_fold_aggregates() RETURNS bigint
    LANGUAGE plpgsql AS $fn$
    DECLARE
        sessions bigint; days bigint;
    BEGIN
        IF NOT pg_try_advisory_xact_lock(7215392002) THEN RETURN 0; END IF;
        WITH moved AS (DELETE FROM cost_session_deltas RETURNING *)
        INSERT INTO cost_session_totals AS t (session_id, agent_id, first_event_at, last_event_at, event_count,
            input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, total_cost_usd)
        SELECT session_id, min(agent_id), min(first_event_at), max(last_event_at), sum(event_count), sum(input_tokens),
               sum(output_tokens), sum(cache_read_tokens), sum(cache_write_tokens), sum(reasoning_tokens), sum(total_cost_usd)
        FROM moved GROUP BY session_id ORDER BY session_id
        ON CONFLICT (session_id) DO UPDATE SET
            first_event_at = least(t.first_event_at, excluded.first_event_at),
            last_event_at = greatest(t.last_event_at, excluded.last_event_at),
            event_count = t.event_count + excluded.event_count,
            input_tokens = t.input_tokens + excluded.input_tokens,
            output_tokens = t.output_tokens + excluded.output_tokens,
            cache_read_tokens = t.cache_read_tokens + excluded.cache_read_tokens,
            cache_write_tokens = t.cache_write_tokens + excluded.cache_write_tokens,
            reasoning_tokens = t.reasoning_tokens + excluded.reasoning_tokens,
            total_cost_usd = t.total_cost_usd + excluded.total_cost_usd,
            updated_at = now();
        GET DIAGNOSTICS sessions = ROW_COUNT;
        WITH moved AS (DELETE FROM daily_cost_deltas RETURNING *)
        INSERT INTO daily_cost_totals AS t (day, agent_id, provider, model, event_count, error_count, unpriced_count,
            input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, total_cost_usd)
        SELECT day, agent_id, provider, model, sum(event_count), sum(error_count), sum(unpriced_count), sum(input_tokens),
               sum(output_tokens), sum(cache_read_tokens), sum(cache_write_tokens), sum(reasoning_tokens), sum(total_cost_usd)
        FROM moved GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
        ON CONFLICT (day, agent_id, provider, model) DO UPDATE SET
            event_count = t.event_count + excluded.event_count,
            error_count = t.error_count + excluded.error_count,
            unpriced_count = t.unpriced_count + excluded.unpriced_count,
            input_tokens = t.input_tokens + excluded.input_tokens,
            output_tokens = t.output_tokens + excluded.output_tokens,
            cache_read_tokens = t.cache_read_tokens + excluded.cache_read_tokens,
            cache_write_tokens = t.cache_write_tokens + excluded.cache_write_tokens,
            reasoning_tokens = t.reasoning_tokens + excluded.reasoning_tokens,
            total_cost_usd = t.total_cost_usd + excluded.total_cost_usd,
            updated_at = now();
        GET DIAGNOSTICS days = ROW_COUNT;
        RETURN sessions + days;
    END
    $fn$;

    -- Prices in USD per million tokens, exact to 1e-6 (one picodollar per token).
    CREATE TABLE pricing (
        provider                text NOT NULL,
        model                   text NOT NULL,
        effective_from          timestamptz NOT NULL,
        input_usd_per_mtok      numeric(20,6) NOT NULL CHECK (input_usd_per_mtok >= 0),
        output_usd_per_mtok     numeric(20,6) NOT NULL CHECK (output_usd_per_mtok >= 0),
        cache_read_usd_per_mtok numeric(20,6) CHECK (cache_read_usd_per_mtok >= 0),
        cache_write_usd_per_mtok numeric(20,6) CHECK (cache_write_usd_per_mtok >= 0),
        reasoning_usd_per_mtok  numeric(20,6) CHECK (reasoning_usd_per_mtok >= 0),
        source                  text NOT NULL DEFAULT 'catalog',
        imported_at             timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (provider, model, effective_from)
    );
    CREATE VIEW current_pricing AS
        SELECT DISTINCT ON (provider, model) *
        FROM pricing
        WHERE effective_from <= now()
        ORDER BY provider, model, effective_from DESC;

    -- Models seen without a catalog price: alerted once each, re-priceable later.
    CREATE TABLE unpriced_models (
        provider       text NOT NULL,
        model          text NOT NULL,
        first_seen_at  timestamptz NOT NULL,
        last_seen_at   timestamptz NOT NULL,
        event_count    bigint NOT NULL,
        alerted_at     timestamptz,
        PRIMARY KEY (provider, model)
    );
    """#)
}
