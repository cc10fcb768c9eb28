import CostStore
import PostgresClient

/// The alert outbox every worker shares: `cost_alerts` is the record, `cost.alerts` the
/// notification, and `published_at` says which of the two a crash may have left behind.
extension WorkerContext {
    /// Records the alert (once: `cost_alerts`' unique key) and, when it is new, publishes it
    /// on `cost.alerts` (routing key `alert.<kind>`) and marks it published. Returns the new
    /// alert's id, nil when it had fired before.
    @discardableResult
    public func fireAlert(_ alert: AlertRecord, db: PGConnection) throws -> Int64? {
        let store = AlertStore(db: db)
        guard let id = try store.fire(alert) else { return nil }
        logger.warning("alert: \(alert.message)", metadata: ["alert_id": "\(id)", "kind": "\(alert.kind)"])
        try publishConfirmed(exchange: Topology.alertsExchange, routingKey: "alert.\(alert.kind)",
                             body: Array(alert.payload.serialized().utf8))
        try store.markPublished(id: id)
        return id
    }

    /// Publishes alerts recorded but not yet confirmed (a crash between the two).
    public func publishPendingAlerts(db: PGConnection) throws {
        let store = AlertStore(db: db)
        for a in try store.unpublished() {
            try publishConfirmed(exchange: Topology.alertsExchange, routingKey: "alert.\(a.kind)", body: Array(a.payload.utf8))
            try store.markPublished(id: a.id)
        }
    }
}
