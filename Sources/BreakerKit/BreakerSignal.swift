import CostCore

/// A `cost.signal.v1` message from the budget or anomaly worker, as the breaker reads it:
///
///     {"schema":"cost.signal.v1","signal":"open_breaker"|"condition_cleared","scope":"agent:planner",
///      "reason":"daily_budget_90pct","source":"budget"|"credit"|"anomaly","period_end_ms":1795800000000, …}
///
/// Scopes other than global, provider:<p> and agent:<a> (a budget on a tag or a session) have
/// no breaker: such a signal is acknowledged and logged, not applied.
struct BreakerSignal {
    let scope: BreakerScope
    let event: BreakerEvent
    let evidence: JSONValue

    enum Problem: Error { case invalid(String), noBreakerForScope(String) }

    static func decode(_ body: [UInt8], nowMs: Int64) throws(Problem) -> BreakerSignal {
        guard body.count <= 16 * 1024 else { throw .invalid("signal larger than 16 KiB") }
        guard let json = try? JSONParser.parse(body), case .object = json else { throw .invalid("not a JSON object") }
        guard json["schema"]?.stringValue == "cost.signal.v1" else { throw .invalid("schema must be cost.signal.v1") }
        guard let scopeText = json["scope"]?.stringValue else { throw .invalid("scope is missing") }
        guard let scope = try? BreakerScope(parsing: scopeText) else { throw .noBreakerForScope(scopeText) }
        let reason = json["reason"]?.stringValue ?? ""
        let source = json["source"]?.stringValue ?? ""
        switch json["signal"]?.stringValue {
        case "open_breaker":
            let trigger: BreakerTrigger
            switch (source, reason) {
            case ("budget", _): trigger = .budget(reason: reason, periodEndMs: json["period_end_ms"]?.integerValue)
            case ("credit", _): trigger = .credits(reason: reason)
            case (_, "cost_spike"): trigger = .costSpike(reason: json["detail"]?.stringValue ?? reason)
            case (_, "rate_violation"): trigger = .rateViolation(reason: json["detail"]?.stringValue ?? reason)
            case (_, "risk_critical"): trigger = .riskCritical(reason: json["detail"]?.stringValue ?? reason)
            default: throw .invalid("unknown source/reason \(source)/\(reason)")
            }
            return BreakerSignal(scope: scope, event: .trip(trigger, nowMs: nowMs), evidence: json)
        case "condition_cleared":
            return BreakerSignal(scope: scope, event: .conditionCleared(reason: reason, nowMs: nowMs), evidence: json)
        default:
            throw .invalid("signal must be open_breaker or condition_cleared")
        }
    }
}
