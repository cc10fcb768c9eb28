import CostCore
import PostgresClient

/// Breaker transitions, seen command ids and the audit log (migration 3).
public struct BreakerStore {
    private let db: PGConnection

    public init(db: PGConnection) {
        self.db = db
    }

    public func recordTransition(scope: String, from: String, to: String, reason: String, version: Int64,
                                 evidence: JSONValue, worker: String) throws(StoreError) {
        try store {
            try db.query("""
                INSERT INTO breaker_events (scope, from_state, to_state, reason, version, evidence, worker)
                VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)
                """, [scope, from, to, reason, String(version), evidence.serialized(), worker])
        }
    }

    /// Whether a command with this id was applied before.
    public func commandSeen(_ id: String) throws(StoreError) -> Bool {
        try store { try db.query("SELECT 1 FROM control_commands WHERE command_id = $1", [id]).rows.count > 0 }
    }

    /// True the first time a command id is claimed, false when it already was — atomic across
    /// workers.
    public func claimCommandID(_ id: String, keyID: String) throws(StoreError) -> Bool {
        try store {
            try db.query("INSERT INTO control_commands (command_id, key_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                         [id, keyID]).affectedRows == 1
        }
    }

    public func audit(actor: String, action: String, scope: String?, outcome: String, reason: String,
                      commandID: String?, keyID: String?, details: JSONValue) throws(StoreError) {
        try store {
            try db.query("""
                INSERT INTO audit_log (actor, action, scope, outcome, reason, command_id, key_id, details)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)
                """, [actor, action, scope, outcome, reason, commandID, keyID, details.serialized()])
        }
    }
}
