/// Why a breaker opens, and so how long it stays open.
///
/// | trigger | `reason` field | open until (`retry_at`) | after a failed half-open trial |
/// |---|---|---|---|
/// | `budget` | the given code, e.g. `daily_budget_90pct` | the budget period's end; by hand if unknown | open by hand |
/// | `credits` | the given code, e.g. `provider_credits_95pct` | by hand (0) | open by hand |
/// | `costSpike` | `cost_spike` | now + `spikeCooldownMs` | open for the same cooldown |
/// | `rateViolation` | `rate_violation` | now + `rateCooldownMs` | open for the same cooldown |
/// | `riskCritical` | `risk_critical` | now + `riskCooldownMs` | open for the same cooldown |
/// | `manual` | `manual` | `untilMs`, or by hand when absent | open by hand |
///
/// For `budget` and `credits` the `reason` text IS the reason code (a budget worker builds it,
/// e.g. `monthly_budget_90pct`); an empty one falls back to `budget_threshold` /
/// `provider_credits_95pct`. For the other kinds `reason` is free text for logs and the audit
/// trail and the code is fixed.
public enum BreakerTrigger: Sendable, Hashable {
    case budget(reason: String, periodEndMs: Int64?)
    case credits(reason: String)
    case costSpike(reason: String)
    case rateViolation(reason: String)
    case riskCritical(reason: String)
    case manual(reason: String, untilMs: Int64?)

    /// The code written to the `reason` field of the breaker hash.
    public var reasonCode: String {
        switch self {
        case .budget(let reason, _): return reason.isEmpty ? "budget_threshold" : reason
        case .credits(let reason): return reason.isEmpty ? "provider_credits_95pct" : reason
        case .costSpike: return "cost_spike"
        case .rateViolation: return "rate_violation"
        case .riskCritical: return "risk_critical"
        case .manual: return "manual"
        }
    }

    /// The free text given with the trigger.
    public var detail: String {
        switch self {
        case .budget(let reason, _), .credits(let reason), .costSpike(let reason),
             .rateViolation(let reason), .riskCritical(let reason), .manual(let reason, _):
            return reason
        }
    }

    /// How long a re-open lasts after a failed half-open trial: the kind's configured cooldown,
    /// or 0 (by hand) for kinds whose deadline is absolute or manual.
    public func cooldownMs(config: BreakerConfig) -> Int64 {
        switch self {
        case .costSpike: return config.spikeCooldownMs
        case .rateViolation: return config.rateCooldownMs
        case .riskCritical: return config.riskCooldownMs
        case .budget, .credits, .manual: return 0
        }
    }

    /// `retry_at` for a breaker opened now by this trigger (0: only by hand), or nil when the
    /// trigger is stale and must not open anything: a budget signal for a period that already
    /// ended (a late message from before the roll-over).
    public func retryAtMs(nowMs: Int64, config: BreakerConfig) -> Int64? {
        switch self {
        case .budget(_, let periodEndMs):
            guard let periodEndMs, periodEndMs > 0 else { return 0 }
            return periodEndMs > nowMs ? periodEndMs : nil
        case .credits:
            return 0
        case .costSpike, .rateViolation, .riskCritical:
            return BreakerState.later(nowMs, by: cooldownMs(config: config))
        case .manual(_, let untilMs):
            // An end in the past is taken as a slip: the breaker stays open until reset.
            guard let untilMs, untilMs > nowMs else { return 0 }
            return untilMs
        }
    }
}
