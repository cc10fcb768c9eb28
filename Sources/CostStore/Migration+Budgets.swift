extension Migration {
    /// Budgets, provider credit limits, alerts (exactly one row per budget, period and tier)
    /// and webhook deliveries.
    static let budgets = Migration(version: 2, name: "budgets, credit limits, alerts, webhooks", sql: #"""
    CREATE TABLE budgets (
        id              text PRIMARY KEY CHECK (id ~ '^[a-z0-9_.-]{1,64}$'),
        scope           text NOT NULL,
        period          text NOT NULL CHECK (period IN ('day', 'month')),
        time_zone       text NOT NULL DEFAULT 'UTC',
        limit_usd       numeric(20,9) NOT NULL CHECK (limit_usd > 0),
        tiers           integer[] NOT NULL DEFAULT '{50,75,85,95}',
        breaker_percent integer NOT NULL DEFAULT 90 CHECK (breaker_percent BETWEEN 1 AND 100),
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE credit_limits (
        provider        text PRIMARY KEY CHECK (provider ~ '^[a-z0-9][a-z0-9_-]{0,31}$'),
        credit_usd      numeric(20,9) NOT NULL CHECK (credit_usd > 0),
        since           timestamptz NOT NULL,
        tiers           integer[] NOT NULL DEFAULT '{50,75,85,95}',
        breaker_percent integer NOT NULL DEFAULT 95 CHECK (breaker_percent BETWEEN 1 AND 100),
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now()
    );

    -- One row per alert that fired. The unique key makes every (kind, subject, period, tier,
    -- limit) fire exactly once, whichever worker instance saw the crossing first; a raised
    -- limit has tiers of its own.
    CREATE TABLE cost_alerts (
        id              bigserial PRIMARY KEY,
        kind            text NOT NULL,
        subject         text NOT NULL,
        period_key      text NOT NULL,
        tier            integer NOT NULL DEFAULT 0,
        spend_usd       numeric(20,9),
        limit_usd       numeric(20,9),
        message         text NOT NULL,
        payload         jsonb NOT NULL,
        state           text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'acknowledged', 'resolved')),
        created_at      timestamptz NOT NULL DEFAULT now(),
        published_at    timestamptz,
        acknowledged_at timestamptz,
        acknowledged_by text,
        resolved_at     timestamptz,
        UNIQUE NULLS NOT DISTINCT (kind, subject, period_key, tier, limit_usd)
    );
    CREATE INDEX cost_alerts_unpublished ON cost_alerts (id) WHERE published_at IS NULL;

    CREATE TABLE webhooks (
        id         text PRIMARY KEY CHECK (id ~ '^[a-z0-9_.-]{1,64}$'),
        url        text NOT NULL CHECK (url ~ '^https?://'),
        secret     text NOT NULL,
        kinds      text[] NOT NULL DEFAULT '{}',
        enabled    boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now()
    );

    -- The outbox of webhook deliveries: one row per (alert, webhook), retried with backoff.
    CREATE TABLE webhook_deliveries (
        alert_id        bigint NOT NULL REFERENCES cost_alerts (id) ON DELETE CASCADE,
        webhook_id      text NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
        attempts        integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        delivered_at    timestamptz,
        last_status     integer,
        last_error      text,
        PRIMARY KEY (alert_id, webhook_id)
    );
    CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE delivered_at IS NULL;
    """#)
}
