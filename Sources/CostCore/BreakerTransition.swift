/// What one event did to a breaker: the state before and after, and whether anything changed
/// (when `changed` is false, `to == from` and nothing needs writing or publishing).
public struct BreakerTransition: Sendable, Equatable {
    public var from: BreakerState
    public var to: BreakerState
    public var changed: Bool

    public init(from: BreakerState, to: BreakerState, changed: Bool) {
        self.from = from
        self.to = to
        self.changed = changed
    }

    /// True when the phase moved (closed, open, half-open), not just a field within it.
    public var phaseChanged: Bool { from.phase != to.phase }
}
