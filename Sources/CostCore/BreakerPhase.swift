/// The phase of a circuit breaker, written as the `state` field of its Redis hash (contract §4).
public enum BreakerPhase: String, Sendable, CaseIterable {
    /// Calls go through.
    case closed
    /// Calls are refused (unless an override is active) until `retry_at`, or by hand when it is 0.
    case open
    /// A trial: up to `probes_left` calls go through as probes; their verdict closes or re-opens it.
    case halfOpen = "half_open"
}
