extension Migration {
    /// Breaker transitions with their evidence, admin commands seen (replay protection) and
    /// the audit log of every command, applied or refused.
    static let breaker = Migration(version: 3, name: "breaker events, control commands, audit log", sql: #"""
    CREATE TABLE breaker_events (
        id          bigserial PRIMARY KEY,
        scope       text NOT NULL,
        from_state  text NOT NULL,
        to_state    text NOT NULL,
        reason      text NOT NULL,
        version     bigint NOT NULL,
        evidence    jsonb NOT NULL DEFAULT '{}',
        worker      text NOT NULL,
        occurred_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX breaker_events_scope ON breaker_events (scope, occurred_at);

    -- Every command_id ever received: a second command with the same id is a replay.
    CREATE TABLE control_commands (
        command_id  text PRIMARY KEY,
        key_id      text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE audit_log (
        id          bigserial PRIMARY KEY,
        occurred_at timestamptz NOT NULL DEFAULT now(),
        actor       text NOT NULL,
        action      text NOT NULL,
        scope       text,
        outcome     text NOT NULL CHECK (outcome IN ('applied', 'refused')),
        reason      text NOT NULL,
        command_id  text,
        key_id      text,
        details     jsonb NOT NULL DEFAULT '{}'
    );
    CREATE INDEX audit_log_time ON audit_log (occurred_at);
    """#)
}
