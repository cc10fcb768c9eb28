/// What an event costs and why.
public struct CostBreakdown: Sendable, Equatable {
    /// The cost that counts toward budgets.
    public var cost: Nanodollars
    public var source: CostSource
    /// The catalog's cost, when the catalog priced the event.
    public var catalogCost: Nanodollars?
    /// True when `source != .catalog`: the event can be re-priced once the model is listed.
    public var unpriced: Bool
    /// The agent reported a cost that differs from the catalog's by more than 1 %.
    public var costMismatch: Bool

    public init(cost: Nanodollars, source: CostSource, catalogCost: Nanodollars?, unpriced: Bool, costMismatch: Bool) {
        self.cost = cost
        self.source = source
        self.catalogCost = catalogCost
        self.unpriced = unpriced
        self.costMismatch = costMismatch
    }
}
