/// How long breakers stay open and how the half-open trial runs. Plain values with defaults;
/// the worker builds one from its configuration, the core never reads the environment.
public struct BreakerConfig: Sendable, Equatable {
    /// Open time after a cost spike (≥ 10× normal spend rate). Default 5 minutes.
    public var spikeCooldownMs: Int64
    /// Open time after sustained rate violations. Default 2 minutes.
    public var rateCooldownMs: Int64
    /// Open time after a CRITICAL risk level from the anomaly worker. Default 10 minutes.
    public var riskCooldownMs: Int64
    /// Calls let through as probes in each half-open window. Default 5.
    public var halfOpenProbes: Int
    /// Length of a half-open window; a window that used probes but got no verdict is renewed
    /// with a fresh allowance when it ends. Default 1 minute.
    public var halfOpenWindowMs: Int64

    public init(
        spikeCooldownMs: Int64 = 300_000, rateCooldownMs: Int64 = 120_000, riskCooldownMs: Int64 = 600_000,
        halfOpenProbes: Int = 5, halfOpenWindowMs: Int64 = 60_000
    ) {
        self.spikeCooldownMs = max(1, spikeCooldownMs)
        self.rateCooldownMs = max(1, rateCooldownMs)
        self.riskCooldownMs = max(1, riskCooldownMs)
        self.halfOpenProbes = max(1, halfOpenProbes)
        self.halfOpenWindowMs = max(1, halfOpenWindowMs)
    }
}
