import CostCore
import PostgresClient

/// One delivery of one alert to one webhook, leased by a worker for a while.
public struct WebhookDelivery: Sendable {
    public let alertID: Int64
    public let webhookID: String
    public let url: String
    public let secret: String
    public let payload: String
    public let attempts: Int
}

/// Webhook endpoints and the outbox of deliveries (migration 2).
public struct WebhookStore {
    private let db: PGConnection

    public init(db: PGConnection) {
        self.db = db
    }

    public func add(id: String, url: String, secret: String, kinds: [String]) throws(StoreError) {
        try store {
            try db.query("""
                INSERT INTO webhooks (id, url, secret, kinds) VALUES ($1, $2, $3, string_to_array($4, ','))
                ON CONFLICT (id) DO UPDATE SET url = excluded.url, secret = excluded.secret, kinds = excluded.kinds,
                    enabled = true
                """, [id, url, secret, kinds.joined(separator: ",")])
        }
    }

    public func remove(id: String) throws(StoreError) -> Bool {
        try store { try db.query("DELETE FROM webhooks WHERE id = $1", [id]).affectedRows > 0 }
    }

    /// id, url, kinds, delivered and pending counts (never the secret).
    public func list() throws(StoreError) -> [[String]] {
        try store {
            try db.query("""
                SELECT w.id, w.url, array_to_string(w.kinds, ','),
                       count(d.*) FILTER (WHERE d.delivered_at IS NOT NULL)::text,
                       count(d.*) FILTER (WHERE d.delivered_at IS NULL)::text
                FROM webhooks w LEFT JOIN webhook_deliveries d ON d.webhook_id = w.id
                GROUP BY w.id ORDER BY w.id
                """).rows.map { $0.map { $0 ?? "" } }
        }
    }

    /// Leases up to `limit` due deliveries for `leaseSeconds`, so that other workers skip
    /// them while this one tries.
    public func leaseDue(limit: Int = 20, leaseSeconds: Int = 60) throws(StoreError) -> [WebhookDelivery] {
        try store {
            try db.query("""
                WITH due AS (
                    SELECT alert_id, webhook_id FROM webhook_deliveries
                    WHERE delivered_at IS NULL AND next_attempt_at <= now()
                    ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED
                ), leased AS (
                    UPDATE webhook_deliveries d SET next_attempt_at = now() + make_interval(secs => $2::int)
                    FROM due WHERE d.alert_id = due.alert_id AND d.webhook_id = due.webhook_id
                    RETURNING d.alert_id, d.webhook_id, d.attempts
                )
                SELECT l.alert_id, l.webhook_id, w.url, w.secret, a.payload::text, l.attempts
                FROM leased l JOIN webhooks w ON w.id = l.webhook_id JOIN cost_alerts a ON a.id = l.alert_id
                """, [String(limit), String(leaseSeconds)]).rows.compactMap { r in
                guard let id = r[0].flatMap({ Int64($0) }) else { return nil }
                return WebhookDelivery(alertID: id, webhookID: r[1] ?? "", url: r[2] ?? "", secret: r[3] ?? "",
                                       payload: r[4] ?? "{}", attempts: Int(r[5] ?? "0") ?? 0)
            }
        }
    }

    public func delivered(_ d: WebhookDelivery, status: Int) throws(StoreError) {
        try store {
            try db.query("""
                UPDATE webhook_deliveries SET delivered_at = now(), attempts = attempts + 1, last_status = $3, last_error = NULL
                WHERE alert_id = $1 AND webhook_id = $2
                """, [String(d.alertID), d.webhookID, String(status)])
        }
    }

    /// Records a failed attempt and when to try again.
    public func failed(_ d: WebhookDelivery, status: Int?, error: String, retryInSeconds: Int) throws(StoreError) {
        try store {
            try db.query("""
                UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = $3, last_error = $4,
                    next_attempt_at = now() + make_interval(secs => $5::int)
                WHERE alert_id = $1 AND webhook_id = $2
                """, [String(d.alertID), d.webhookID, status.map(String.init), String(error.prefix(500)), String(retryInSeconds)])
        }
    }
}
