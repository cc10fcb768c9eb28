import CostCore
import PostgresClient

/// An alert about to be recorded: `(kind, subject, periodKey, tier, limit)` identifies it,
/// and the table's unique key makes it fire once.
public struct AlertRecord: Sendable {
    public var kind: String
    public var subject: String
    public var periodKey: String
    public var tier: Int
    public var spend: Nanodollars?
    public var limit: Nanodollars?
    public var message: String
    public var payload: JSONValue

    public init(kind: String, subject: String, periodKey: String, tier: Int, spend: Nanodollars?, limit: Nanodollars?,
                message: String, payload: JSONValue) {
        self.kind = kind
        self.subject = subject
        self.periodKey = periodKey
        self.tier = tier
        self.spend = spend
        self.limit = limit
        self.message = message
        self.payload = payload
    }
}

/// `cost_alerts` and the webhook outbox.
public struct AlertStore {
    private let db: PGConnection

    public init(db: PGConnection) {
        self.db = db
    }

    /// Records the alert unless it already fired; returns its id when it is new. Queues one
    /// webhook delivery per enabled webhook that wants this kind, in the same transaction.
    public func fire(_ a: AlertRecord) throws(StoreError) -> Int64? {
        try store {
            try db.transaction { tx -> Int64? in
                let r = try tx.query("""
                    INSERT INTO cost_alerts (kind, subject, period_key, tier, spend_usd, limit_usd, message, payload)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)
                    ON CONFLICT (kind, subject, period_key, tier, limit_usd) DO NOTHING
                    RETURNING id
                    """, [a.kind, a.subject, a.periodKey, String(a.tier), a.spend?.decimalString, a.limit?.decimalString,
                          a.message, a.payload.serialized()])
                guard let id = r.rows.first?[0].flatMap({ Int64($0) }) else { return nil }
                try tx.query("""
                    INSERT INTO webhook_deliveries (alert_id, webhook_id)
                    SELECT $1, id FROM webhooks WHERE enabled AND (cardinality(kinds) = 0 OR $2 = ANY (kinds))
                    """, [String(id), a.kind])
                return id
            }
        }
    }

    /// Alerts recorded but not yet confirmed on the alerts exchange, oldest first.
    public func unpublished(limit: Int = 100) throws(StoreError) -> [(id: Int64, kind: String, payload: String)] {
        try store {
            try db.query("SELECT id, kind, payload::text FROM cost_alerts WHERE published_at IS NULL ORDER BY id LIMIT $1",
                         [String(limit)]).rows.compactMap { r in
                guard let id = r[0].flatMap({ Int64($0) }) else { return nil }
                return (id, r[1] ?? "", r[2] ?? "{}")
            }
        }
    }

    /// One line of `costctl alerts list`, every field as text.
    public struct Listed: Sendable, Equatable {
        public var id: Int64
        public var createdUTC: String
        public var kind: String
        public var subject: String
        public var periodKey: String
        public var tier: Int
        public var state: String
        public var message: String
    }

    /// The states an alert can be in, and what `recent(state:)` accepts besides "all".
    public static let states = ["open", "acknowledged", "resolved"]

    /// The newest `limit` alerts, newest first, in `state` (or all). Sorted by the numeric id:
    /// the ORDER BY names the table's column, since the output column `id::text` would sort
    /// "9" before "10".
    public func recent(state: String?, limit: Int) throws(StoreError) -> [Listed] {
        try store {
            try db.query("""
                SELECT id::text, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), kind, subject, period_key,
                       tier::text, state, message
                FROM cost_alerts WHERE $1::text IS NULL OR state = $1 ORDER BY cost_alerts.id DESC LIMIT $2
                """, [state, String(limit)]).rows.map { r in
                Listed(id: r[0].flatMap { Int64($0) } ?? 0, createdUTC: r[1] ?? "", kind: r[2] ?? "", subject: r[3] ?? "",
                       periodKey: r[4] ?? "", tier: r[5].flatMap { Int($0) } ?? 0, state: r[6] ?? "", message: r[7] ?? "")
            }
        }
    }

    public func markPublished(id: Int64) throws(StoreError) {
        try store { try db.query("UPDATE cost_alerts SET published_at = now() WHERE id = $1", [String(id)]) }
    }

    /// Sets an alert's state (acknowledged or resolved); false when no such alert.
    public func setState(id: Int64, state: String, by: String?) throws(StoreError) -> Bool {
        try store {
            try db.query("""
                UPDATE cost_alerts SET state = $2,
                    acknowledged_at = CASE WHEN $2 = 'acknowledged' THEN now() ELSE acknowledged_at END,
                    acknowledged_by = CASE WHEN $2 = 'acknowledged' THEN $3 ELSE acknowledged_by END,
                    resolved_at = CASE WHEN $2 = 'resolved' THEN now() ELSE resolved_at END
                WHERE id = $1
                """, [String(id), state, by]).affectedRows > 0
        }
    }
}
