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
        tags               jsonb,
        PRIMARY KEY (event_id, occurred_at)
    ) PARTITION BY RANGE (occurred_at);
    CREATE INDEX cost_tracking_agent_time ON cost_tracking (agent_id, occurred_at);

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

    CREATE TABLE cost_sessions (
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

    -- Per UTC day, agent, provider and model.
    CREATE TABLE daily_cost_summary (
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
