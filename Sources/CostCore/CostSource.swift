/// Where the cost that counts came from (the `cost_source` column).
public enum CostSource: String, Sendable, CaseIterable {
    /// The catalog knows (provider, model): its price applied.
    case catalog
    /// Unknown model; the agent's `reported_cost_usd` was used.
    case reported
    /// Unknown model, nothing usable reported: a conservative fallback price applied.
    case fallback
}
