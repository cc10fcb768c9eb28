import CostCore

/// A valid usage event with the cost that counts for it.
public struct PricedEvent: Sendable {
    public let event: UsageEvent
    public let cost: CostBreakdown

    public init(event: UsageEvent, cost: CostBreakdown) {
        self.event = event
        self.cost = cost
    }
}

/// What one `EventRecorder.record` call changed.
public struct RecordOutcome: Sendable, Equatable {
    /// Events stored for the first time (their aggregates moved).
    public var inserted: Int
    /// Events whose event_id was already counted (in an earlier batch or earlier in this one).
    public var duplicates: Int
    /// Whether some inserted event had no catalog price (see `EventRecorder.modelsAwaitingAlert`).
    public var sawUnpricedModel: Bool

    public init(inserted: Int = 0, duplicates: Int = 0, sawUnpricedModel: Bool = false) {
        self.inserted = inserted
        self.duplicates = duplicates
        self.sawUnpricedModel = sawUnpricedModel
    }
}
