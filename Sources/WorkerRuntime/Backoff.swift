/// Capped exponential backoff with full jitter: attempt n waits a random time in
/// [base·2ⁿ/2, base·2ⁿ], never more than `cap`. The random source comes in as a value.
public struct Backoff: Sendable {
    public var base: Duration
    public var cap: Duration
    public private(set) var attempt = 0

    public init(base: Duration = .milliseconds(100), cap: Duration = .seconds(5)) {
        self.base = base
        self.cap = cap
    }

    /// The next pause; `unit` is a random number in [0, 1).
    public mutating func next(unit: Double) -> Duration {
        let exponent = min(attempt, 30)
        attempt += 1
        let ceiling = min(base * (1 << exponent), cap)
        return ceiling / 2 + (ceiling / 2) * unit
    }

    public mutating func reset() { attempt = 0 }
}
