extension Migration {
    /// Usage events the anomaly worker scored MEDIUM or above, with the factor breakdown.
    static let security = Migration(version: 4, name: "security events", sql: #"""
    CREATE TABLE security_events (
        event_id          text PRIMARY KEY,
        occurred_at       timestamptz NOT NULL,
        scored_at         timestamptz NOT NULL DEFAULT now(),
        agent_id          text NOT NULL,
        session_id        text NOT NULL,
        provider          text NOT NULL,
        model             text NOT NULL,
        cost_usd          numeric(20,9) NOT NULL,
        score             smallint NOT NULL CHECK (score BETWEEN 0 AND 100),
        level             text NOT NULL CHECK (level IN ('LOW', 'MEDIUM', 'HIGH', 'CRITICAL')),
        confidence        numeric(4,3) NOT NULL CHECK (confidence BETWEEN 0 AND 1),
        rate_factor       numeric(4,3) NOT NULL CHECK (rate_factor BETWEEN 0 AND 1),
        spike_factor      numeric(4,3) NOT NULL CHECK (spike_factor BETWEEN 0 AND 1),
        efficiency_factor numeric(4,3) NOT NULL CHECK (efficiency_factor BETWEEN 0 AND 1),
        switching_factor  numeric(4,3) NOT NULL CHECK (switching_factor BETWEEN 0 AND 1),
        history_factor    numeric(4,3) NOT NULL CHECK (history_factor BETWEEN 0 AND 1),
        cost_mismatch     boolean NOT NULL,
        reasons           text[] NOT NULL DEFAULT '{}',
        breaker_signal    text
    );
    CREATE INDEX security_events_time ON security_events (occurred_at);
    CREATE INDEX security_events_agent ON security_events (agent_id, occurred_at);
    """#)
}
