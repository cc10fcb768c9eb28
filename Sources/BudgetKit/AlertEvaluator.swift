import AMQPClient
import CostCore
import CostStore
import Logging
import PostgresClient
import WorkerRuntime

/// Fires the alerts that counter totals have reached: each tier once, the breaker signal
/// once, and a projection alert once per period. Evaluated on levels (not on the one event
/// that crossed), so an alert lost to a crash fires on the next event that touches the
/// counter; the `cost_alerts` unique key keeps it to one row across all instances. A raised
/// limit is a new identity: its tiers fire again when the new limit's levels are reached.
final class AlertEvaluator {
    private let db: PGConnection
    private let logger: Logger
    /// Alert identities known to have fired; saves a database round trip per batch.
    private var fired: Set<String> = []
    private let webhooks: WebhookSender

    init(db: PGConnection, logger: Logger) {
        self.db = db
        self.logger = logger
        self.webhooks = WebhookSender(logger: logger)
    }

    func evaluate(_ totals: [CounterTarget: Nanodollars], now: Timestamp, context: WorkerContext) throws {
        if fired.count > 200_000 { fired.removeAll() }
        for (target, spend) in totals.sorted(by: { $0.key.key < $1.key.key }) {
            let limit = target.thresholds.limit
            for tier in target.thresholds.tiers where SpendThresholds.hasReached(spend: spend, limit: limit, percent: tier) {
                try fire(target, kind: "\(target.kind.rawValue)_tier", tier: tier, spend: spend, now: now, context: context,
                         message: "\(describe(target)) reached \(tier) % of \(usd(limit)): spent \(usd(spend))")
            }
            let breaker = target.thresholds.breakerPercent
            if SpendThresholds.hasReached(spend: spend, limit: limit, percent: breaker) {
                let identity = identityOf("\(target.kind.rawValue)_breaker", target, breaker)
                if !fired.contains(identity) {
                    try signalBreaker(target, spend: spend, now: now, context: context)
                    try fire(target, kind: "\(target.kind.rawValue)_breaker", tier: breaker, spend: spend, now: now,
                             context: context, message: "\(describe(target)) crossed its breaker threshold of \(breaker) % "
                                + "(\(usd(spend)) of \(usd(limit))): calls in scope \(target.scope) are being stopped")
                }
            }
            if let end = target.periodEnd, spend < limit,
               let projection = SpendProjection(spend: spend, periodStart: target.periodStart, periodEnd: end, now: now),
               projection.projectedToExceed(limit: limit) {
                try fire(target, kind: "budget_projection", tier: 100, spend: spend, now: now, context: context,
                         message: "\(describe(target)) is projected to exceed \(usd(limit)) before the period ends "
                            + "(run rate: \(usd(projection.projectedSpend)) by \(end.rfc3339))")
            }
        }
    }

    private func identityOf(_ kind: String, _ t: CounterTarget, _ tier: Int) -> String {
        "\(kind)|\(t.subject)|\(t.periodKey)|\(tier)|\(t.thresholds.limit.value)"
    }

    private func fire(_ t: CounterTarget, kind: String, tier: Int, spend: Nanodollars, now: Timestamp,
                      context: WorkerContext, message: String) throws {
        let identity = identityOf(kind, t, tier)
        guard !fired.contains(identity) else { return }
        let payload = JSONValue.object([
            ("schema", .string("cost.alert.v1")), ("kind", .string(kind)), ("subject", .string(t.subject)),
            ("scope", .string(t.scope)), ("period", .string(t.periodKey)), ("tier_percent", .number(String(tier))),
            ("spend_usd", .string(spend.decimalString)), ("limit_usd", .string(t.thresholds.limit.decimalString)),
            ("at", .string(now.rfc3339)), ("message", .string(message)),
            ("text", .string("[cost-tracker] " + message)),
        ])
        try context.fireAlert(AlertRecord(kind: kind, subject: t.subject, periodKey: t.periodKey, tier: tier, spend: spend,
                                          limit: t.thresholds.limit, message: message, payload: payload), db: db)
        fired.insert(identity)
    }

    /// Tells the breaker worker (via `cost.signals`, routing key `breaker.<kind>`) to open the
    /// scope's breaker. Idempotent on the receiving side, so a repeat is harmless.
    private func signalBreaker(_ t: CounterTarget, spend: Nanodollars, now: Timestamp, context: WorkerContext) throws {
        let reason = t.breakerReason
        let body = JSONValue.object([
            ("schema", .string("cost.signal.v1")), ("signal", .string("open_breaker")), ("scope", .string(t.scope)),
            ("reason", .string(reason)), ("source", .string(t.kind.rawValue)), ("subject", .string(t.subject)),
            ("period", .string(t.periodKey)), ("period_end_ms", t.periodEnd.map { .number(String($0.millisecondsSinceEpoch)) } ?? .null),
            ("spend_usd", .string(spend.decimalString)), ("limit_usd", .string(t.thresholds.limit.decimalString)),
            ("at", .string(now.rfc3339)),
        ]).serialized()
        try context.publishConfirmed(exchange: Topology.signalsExchange, routingKey: "breaker.\(t.kind.rawValue)",
                                     body: Array(body.utf8))
    }

    /// Tells the breaker a budget's condition cleared (its limit was raised): the breaker
    /// half-opens, and closes after its probe window unless the spend still crosses the new
    /// threshold, which signals again.
    func signalLimitRaised(_ b: BudgetDefinition, context: WorkerContext) throws {
        let body = JSONValue.object([
            ("schema", .string("cost.signal.v1")), ("signal", .string("condition_cleared")), ("scope", .string(b.scope.text)),
            ("reason", .string(BudgetRules.breakerReason(b))), ("source", .string("budget")), ("subject", .string(b.id)),
            ("limit_usd", .string(b.limit.decimalString)), ("at", .string(context.now.rfc3339)),
        ]).serialized()
        try context.publishConfirmed(exchange: Topology.signalsExchange, routingKey: "breaker.budget", body: Array(body.utf8))
        logger.notice("budget \(b.id) limit raised to $\(b.limit.decimalString): told the breaker the condition cleared")
    }

    /// Publishes alerts recorded but not yet confirmed (a crash between the two).
    func publishPending(context: WorkerContext) throws {
        try context.publishPendingAlerts(db: db)
    }

    func deliverWebhooks() throws {
        let store = WebhookStore(db: db)
        for d in try store.leaseDue() {
            let result = webhooks.send(d)
            if let status = result.status, (200..<300).contains(status) {
                try store.delivered(d, status: status)
            } else {
                let wait = min(3600, 2 << min(d.attempts, 11))
                logger.warning("webhook \(d.webhookID) failed for alert \(d.alertID); retry in \(wait) s: \(result.error)")
                try store.failed(d, status: result.status, error: result.error, retryInSeconds: wait)
            }
        }
    }

    private func describe(_ t: CounterTarget) -> String {
        t.kind == .credit ? "Provider \(t.subject) prepaid credit (since \(t.periodStart.rfc3339))"
            : "Budget \(t.subject) (\(t.scope), \(t.periodKey))"
    }

    private func usd(_ n: Nanodollars) -> String { "$" + n.decimalString }
}
