/// Something that happens to one breaker. Time always comes in as a value (`nowMs`, unix
/// milliseconds); see `BreakerState+Transitions.swift` for what each event does in each phase.
public enum BreakerEvent: Sendable, Equatable {
    /// A condition says "open": a budget or credit threshold, a cost spike, rate violations,
    /// a critical risk level, or an admin's trip.
    case trip(BreakerTrigger, nowMs: Int64)
    /// Time passes: overrides expire, an open breaker whose `retry_at` came goes half-open,
    /// a half-open window that used probes without a verdict starts again.
    case tick(nowMs: Int64)
    /// The verdict on half-open probes, from the worker watching them.
    case probeResult(success: Bool, conditionCleared: Bool, nowMs: Int64)
    /// The condition named by `reason` (a reason code such as `daily_budget_90pct`) no longer
    /// holds, e.g. the budget limit was raised or the credits topped up.
    case conditionCleared(reason: String, nowMs: Int64)
    /// An admin override: calls go through until `untilMs`, whatever the phase.
    case override(untilMs: Int64, nowMs: Int64)
    /// An admin closes the breaker by hand.
    case manualReset(nowMs: Int64)

    public var nowMs: Int64 {
        switch self {
        case .trip(_, let now), .tick(let now), .probeResult(_, _, let now), .conditionCleared(_, let now),
             .override(_, let now), .manualReset(let now):
            return now
        }
    }
}
