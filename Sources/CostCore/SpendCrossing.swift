/// What one increment of spend crossed (see `SpendThresholds.evaluate`): the alert tiers to
/// fire, ascending, and whether the breaker threshold was crossed.
public struct SpendCrossing: Hashable, Sendable {
    public var tiers: [Int]
    public var breakerTripped: Bool

    public init(tiers: [Int], breakerTripped: Bool) {
        self.tiers = tiers
        self.breakerTripped = breakerTripped
    }

    public static let empty = SpendCrossing(tiers: [], breakerTripped: false)

    /// True when nothing was crossed.
    public var isEmpty: Bool { tiers.isEmpty && !breakerTripped }
}
