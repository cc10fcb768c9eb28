/// The state of one scope's circuit breaker: a pure value, stored in Redis as the hash
/// `cost:breaker:<scope>` (contract v1 §4; see `BreakerState+Redis.swift` for the fields).
///
/// Change it only through `applying(_:config:)` / `transition(_:config:)`, which keep the
/// invariants: `version` grows by one on every change and `sinceMs` is the time of the last
/// change; `retryAtMs` is 0 when closed; `probesLeft` is 0 unless half-open.
public struct BreakerState: Sendable, Equatable {
    public var phase: BreakerPhase
    /// The code of the last change: a trigger's `reasonCode` while open or half-open,
    /// `recovered` or `manual_reset` once closed again, empty for a breaker never used.
    public var reason: String
    /// Unix milliseconds of the last change.
    public var sinceMs: Int64
    /// Open: when the breaker becomes half-open (0: only by hand or by `conditionCleared`).
    /// Half-open: when the current probe window ends. Closed: 0.
    public var retryAtMs: Int64
    /// Until when an override lets calls through whatever the phase (0: none).
    public var overrideUntilMs: Int64
    /// Incremented on every change.
    public var version: Int64
    /// Half-open: calls that may still go through as probes. Agents take one each with an
    /// atomic decrement that never goes below 0 (see `BreakerGate`).
    public var probesLeft: Int
    /// How long the breaker re-opens for when a half-open trial fails (0: by hand).
    public var cooldownMs: Int64

    public init(
        phase: BreakerPhase, reason: String, sinceMs: Int64, retryAtMs: Int64 = 0, overrideUntilMs: Int64 = 0,
        version: Int64, probesLeft: Int = 0, cooldownMs: Int64 = 0
    ) {
        self.phase = phase
        self.reason = reason
        self.sinceMs = sinceMs
        self.retryAtMs = retryAtMs
        self.overrideUntilMs = overrideUntilMs
        self.version = version
        self.probesLeft = probesLeft
        self.cooldownMs = cooldownMs
    }

    /// A breaker never used: what a missing Redis key means.
    public static let closed = BreakerState(phase: .closed, reason: "", sinceMs: 0, version: 0)

    /// True while an override lets calls through (`overrideUntilMs` after `nowMs`).
    public func overrideActive(nowMs: Int64) -> Bool {
        overrideUntilMs > nowMs
    }

    /// How long an open breaker holds, for comparing two reasons: "by hand" (0) outlasts any
    /// time, otherwise the later `retry_at` is the stronger.
    static func holdStrength(retryAtMs: Int64) -> Int64 {
        retryAtMs == 0 ? .max : retryAtMs
    }

    /// `nowMs + durationMs`, saturating.
    static func later(_ nowMs: Int64, by durationMs: Int64) -> Int64 {
        let (sum, overflow) = nowMs.addingReportingOverflow(durationMs)
        return overflow ? .max : sum
    }
}
