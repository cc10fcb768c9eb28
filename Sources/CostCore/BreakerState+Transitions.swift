/// The breaker state machine. Every rule, by event:
///
/// - `trip(trigger)`: closed or half-open → open with the trigger's reason code, `retry_at`
///   and cooldown (see `BreakerTrigger`). Already open → the stronger hold wins: "by hand"
///   (retry_at 0) beats any time, otherwise the later `retry_at`; an equal or weaker trip
///   changes nothing, so a repeated trip is idempotent (a cooldown trip repeated later
///   extends the cooldown: the evidence is newer). A budget trip for a period that has
///   already ended is stale and changes nothing. An active override survives a trip.
/// - `tick`: an override whose end has come is cleared. Open with `retry_at` > 0 and
///   now ≥ `retry_at` → half-open with `halfOpenProbes` probes and a window until
///   now + `halfOpenWindowMs` (stored in `retry_at`); open with `retry_at` 0 never moves by
///   time. Half-open whose window ended after probes were taken, with no verdict → a fresh
///   allowance and window (nothing learned, keep trying); an untouched window changes nothing.
/// - `probeResult(success, conditionCleared)` (half-open only; ignored otherwise): a failed
///   probe → open again (reason kept) for `cooldownMs`, or by hand when that is 0. A successful
///   probe with the condition cleared → closed (reason `recovered`). Successful but not cleared
///   → stays half-open while probes remain; once the allowance is used up → open again.
/// - `conditionCleared(reason)`: open for exactly that reason code → half-open (fresh window),
///   whatever `retry_at` was. Never for `manual` (only an admin undoes an admin's trip) and never
///   for another reason (clearing a budget must not release a `risk_critical` breaker).
///   Ignored when closed or already half-open.
/// - `override(until)`: sets `override_until` (the latest command wins, so an admin can also
///   shorten one), in any phase; an end not after now changes nothing.
/// - `manualReset`: any phase → closed (reason `manual_reset`), override cleared; a breaker
///   already closed without an override is left alone.
///
/// Whenever anything changes, `version` grows by exactly one and `since` becomes now.
extension BreakerState {
    public func applying(_ event: BreakerEvent, config: BreakerConfig) -> BreakerState {
        transition(event, config: config).to
    }

    public func transition(_ event: BreakerEvent, config: BreakerConfig) -> BreakerTransition {
        var next = self
        next.apply(event, config: config)
        guard next != self else { return BreakerTransition(from: self, to: self, changed: false) }
        next.version = version == .max ? .max : version + 1
        next.sinceMs = event.nowMs
        return BreakerTransition(from: self, to: next, changed: true)
    }

    /// Applies the rules above to the content fields; `transition` stamps version and since.
    private mutating func apply(_ event: BreakerEvent, config: BreakerConfig) {
        switch event {
        case .trip(let trigger, let now):
            guard let retryAt = trigger.retryAtMs(nowMs: now, config: config) else { return }
            if phase == .open,
               Self.holdStrength(retryAtMs: retryAt) <= Self.holdStrength(retryAtMs: retryAtMs) {
                return
            }
            open(reason: trigger.reasonCode, retryAtMs: retryAt, cooldownMs: trigger.cooldownMs(config: config))

        case .tick(let now):
            if overrideUntilMs != 0, overrideUntilMs <= now { overrideUntilMs = 0 }
            switch phase {
            case .open where retryAtMs > 0 && now >= retryAtMs:
                startTrial(nowMs: now, config: config)
            case .halfOpen where now >= retryAtMs && probesLeft < config.halfOpenProbes:
                startTrial(nowMs: now, config: config)
            default:
                break
            }

        case .probeResult(let success, let cleared, let now):
            guard phase == .halfOpen else { return }
            if !success {
                reopen(nowMs: now)
            } else if cleared {
                close(reason: "recovered", clearOverride: false)
            } else if probesLeft <= 0 {
                reopen(nowMs: now)
            }

        case .conditionCleared(let clearedReason, let now):
            guard phase == .open, clearedReason == reason, clearedReason != "manual" else { return }
            startTrial(nowMs: now, config: config)

        case .override(let untilMs, let now):
            guard untilMs > now else { return }
            overrideUntilMs = untilMs

        case .manualReset:
            guard phase != .closed || overrideUntilMs != 0 else { return }
            close(reason: "manual_reset", clearOverride: true)
        }
    }

    private mutating func open(reason newReason: String, retryAtMs newRetryAt: Int64, cooldownMs newCooldown: Int64) {
        phase = .open
        reason = newReason
        retryAtMs = newRetryAt
        cooldownMs = newCooldown
        probesLeft = 0
    }

    /// Open again after a failed trial, for the same cooldown (by hand when it is 0).
    private mutating func reopen(nowMs: Int64) {
        open(reason: reason, retryAtMs: cooldownMs > 0 ? Self.later(nowMs, by: cooldownMs) : 0, cooldownMs: cooldownMs)
    }

    private mutating func startTrial(nowMs: Int64, config: BreakerConfig) {
        phase = .halfOpen
        probesLeft = config.halfOpenProbes
        retryAtMs = Self.later(nowMs, by: config.halfOpenWindowMs)
    }

    private mutating func close(reason newReason: String, clearOverride: Bool) {
        phase = .closed
        reason = newReason
        retryAtMs = 0
        cooldownMs = 0
        probesLeft = 0
        if clearOverride { overrideUntilMs = 0 }
    }
}
