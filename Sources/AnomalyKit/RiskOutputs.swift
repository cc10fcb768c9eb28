import CostCore
import CostStore
import Logging
import Metrics
import PostgresClient
import WorkerRuntime

/// What scored events lead to, each step idempotent so a retried batch repeats it harmlessly:
/// - an `open_breaker` signal for the agent on `cost.signals` (routing key `breaker.anomaly`,
///   source `anomaly`, reason `risk_critical`, `cost_spike` or `rate_violation`), at most one
///   per agent and reason every `signalQuietSeconds` from this worker, sent first since it
///   stops spend;
/// - MEDIUM and above: a `security_events` row with the factor breakdown (unique event_id);
/// - HIGH (CRITICAL): a `risk_high` (`risk_critical`) alert once per agent and UTC hour in
///   `cost_alerts`, published on `cost.alerts` and delivered to webhooks like budget alerts.
///
/// Lives as long as its processor: a reconnect after a failed batch swaps the database
/// connection (`db`) but keeps what was sent, so the retried batch does not signal again.
final class RiskOutputs {
    /// Set by the processor while connected.
    var db: PGConnection?
    private let logger: Logger
    private let signalQuietMs: Int64
    private var lastSignalMs: [String: Int64] = [:]
    private var firedAlerts: Set<String> = []

    init(logger: Logger, signalQuietSeconds: Int64 = 30) {
        self.logger = logger
        self.signalQuietMs = signalQuietSeconds * 1000
    }

    private func connection() throws -> PGConnection {
        guard let db else { throw StoreError(code: .database, message: "not connected", isRetriable: true) }
        return db
    }

    func emit(_ scored: [ScoredEvent], context: WorkerContext) throws {
        let nowMs = context.now.microsecondsSinceEpoch / 1000
        // Signals go out first; their confirms are awaited after the rows are written (the
        // broker and PostgreSQL work meanwhile), also when writing them failed, and only a
        // confirmed signal starts its agent's quiet period: a batch retried after a database
        // error does not send a confirmed signal again, one whose confirm failed does.
        var sent: [(key: String, reason: String)] = []
        for item in scored {
            guard let reason = item.assessment.breakerSignal else { continue }
            let key = item.event.agentID + "\u{0}" + reason
            if let last = lastSignalMs[key], nowMs - last < signalQuietMs { continue }
            guard !sent.contains(where: { $0.key == key }) else { continue }
            try signal(item, reason: reason, context: context)
            sent.append((key, reason))
        }
        let flagged = scored.filter { $0.assessment.level >= .medium }
        var insertError: (any Error)?
        if !flagged.isEmpty {
            do {
                try SecurityStore(db: connection()).insert(flagged.map {
                    SecurityEventRecord(event: $0.event, cost: $0.cost.cost, assessment: $0.assessment)
                })
            } catch {
                insertError = error
            }
        }
        if !sent.isEmpty {
            try context.waitForConfirms()
            for signal in sent {
                lastSignalMs[signal.key] = nowMs
                Counter(label: "cost_anomaly_signals_total", dimensions: [("reason", signal.reason)]).increment()
            }
            if lastSignalMs.count > 100_000 { lastSignalMs = lastSignalMs.filter { nowMs - $0.value < signalQuietMs } }
        }
        if let insertError { throw insertError }
        guard !flagged.isEmpty else { return }
        if firedAlerts.count > 100_000 { firedAlerts.removeAll() }
        for item in flagged where item.assessment.level >= .high {
            try alert(item, context: context)
        }
    }

    private func signal(_ item: ScoredEvent, reason: String, context: WorkerContext) throws {
        let a = item.assessment
        let detail = "risk \(a.score) \(a.level.rawValue)" + (a.reasons.isEmpty ? "" : ": " + a.reasons.joined(separator: "; "))
        let body = JSONValue.object([
            ("schema", .string("cost.signal.v1")), ("signal", .string("open_breaker")),
            ("scope", .string("agent:" + item.event.agentID)), ("reason", .string(reason)), ("source", .string("anomaly")),
            ("subject", .string(item.event.agentID)), ("detail", .string(String(detail.prefix(500)))),
            ("event_id", .string(item.event.eventID)), ("score", .number(String(a.score))),
            ("level", .string(a.level.rawValue)), ("occurred_at", .string(item.event.occurredAt.rfc3339)),
            ("at", .string(context.now.rfc3339)),
        ]).serialized()
        try context.publishUnconfirmed(exchange: Topology.signalsExchange, routingKey: "breaker.anomaly", body: Array(body.utf8))
        logger.warning("breaker signal: \(reason) for agent \(item.event.agentID)", metadata: [
            "event_id": "\(item.event.eventID)", "score": "\(a.score)"])
    }

    private func alert(_ item: ScoredEvent, context: WorkerContext) throws {
        let a = item.assessment
        let kind = a.level == .critical ? "risk_critical" : "risk_high"
        let hour = String(item.event.occurredAt.rfc3339.prefix(13))
        let subject = "agent:" + item.event.agentID
        let identity = kind + "|" + subject + "|" + hour
        guard !firedAlerts.contains(identity) else { return }
        let message = "agent \(item.event.agentID) scored \(a.level.rawValue) risk \(a.score)/100"
            + (a.reasons.isEmpty ? "" : " (" + a.reasons.joined(separator: "; ") + ")")
            + " on event \(item.event.eventID) at \(item.event.occurredAt.rfc3339)"
        let f = a.factors
        let payload = JSONValue.object([
            ("schema", .string("cost.alert.v1")), ("kind", .string(kind)), ("subject", .string(subject)),
            ("scope", .string(subject)), ("period", .string(hour)), ("score", .number(String(a.score))),
            ("level", .string(a.level.rawValue)), ("event_id", .string(item.event.eventID)),
            ("factors", .object([("rate", .number(SecurityStore.milliText(f.rate))),
                                 ("spike", .number(SecurityStore.milliText(f.spike))),
                                 ("efficiency", .number(SecurityStore.milliText(f.efficiency))),
                                 ("switching", .number(SecurityStore.milliText(f.switching))),
                                 ("history", .number(SecurityStore.milliText(f.history)))])),
            ("at", .string(context.now.rfc3339)), ("message", .string(message)),
            ("text", .string("[cost-tracker] " + message)),
        ])
        try context.fireAlert(AlertRecord(kind: kind, subject: subject, periodKey: hour, tier: a.level == .critical ? 80 : 50,
                                          spend: nil, limit: nil, message: message, payload: payload), db: connection())
        firedAlerts.insert(identity)
    }

    /// Publishes alerts recorded but not yet confirmed (a crash between the two).
    func publishPending(context: WorkerContext) throws {
        guard let db else { return }  // not connected: the next housekeeping after the reconnect does it
        try context.publishPendingAlerts(db: db)
    }
}
