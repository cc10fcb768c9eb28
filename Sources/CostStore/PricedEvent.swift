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
    /// How the batch was written.
    public var path: Path

    public enum Path: String, Sendable {
        /// Nothing to write (an empty batch).
        case none
        /// Every event was new: appended with COPY, the ledger's key checking each one.
        case append
        /// Some event_id had been counted before (or the batch followed one that had): the
        /// ledger claimed the event_ids with `ON CONFLICT DO NOTHING` and only new rows counted.
        case claim
    }

    public init(inserted: Int = 0, duplicates: Int = 0, sawUnpricedModel: Bool = false, path: Path = .none) {
        self.inserted = inserted
        self.duplicates = duplicates
        self.sawUnpricedModel = sawUnpricedModel
        self.path = path
    }
}
