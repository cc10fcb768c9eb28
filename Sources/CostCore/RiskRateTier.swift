/// One tier of absolute rate limits. Reaching any of its limits gives the rate factor at
/// least `factor`; between two tiers the factor rises linearly with the measure. The cost limits
/// assume calls of ordinary price: over an agent's first day of history each rises to what the
/// calls limit would cost in the agent's normal calls, when that is more (`RiskScorer.rateFactor`).
public struct RiskRateTier: Sendable, Equatable {
    public var name: String
    public var agentCallsPerMinute: Int64
    public var agentCostPerMinute: Nanodollars
    public var sessionCallsPerMinute: Int64
    public var sessionCostPerMinute: Nanodollars
    /// Rate factor (0…1) at this tier's limits.
    public var factor: Double

    public init(
        name: String, agentCallsPerMinute: Int64, agentCostPerMinute: Nanodollars,
        sessionCallsPerMinute: Int64, sessionCostPerMinute: Nanodollars, factor: Double
    ) {
        self.name = name
        self.agentCallsPerMinute = agentCallsPerMinute
        self.agentCostPerMinute = agentCostPerMinute
        self.sessionCallsPerMinute = sessionCallsPerMinute
        self.sessionCostPerMinute = sessionCostPerMinute
        self.factor = factor
    }

    /// 120 calls or $2 a minute per agent (60 calls or $1 per session): factor 0.5.
    public static let elevated = RiskRateTier(
        name: "elevated", agentCallsPerMinute: 120, agentCostPerMinute: Nanodollars(2_000_000_000),
        sessionCallsPerMinute: 60, sessionCostPerMinute: Nanodollars(1_000_000_000), factor: 0.5)

    /// 600 calls or $10 a minute per agent (300 calls or $5 per session): factor 1.
    public static let limit = RiskRateTier(
        name: "limit", agentCallsPerMinute: 600, agentCostPerMinute: Nanodollars(10_000_000_000),
        sessionCallsPerMinute: 300, sessionCostPerMinute: Nanodollars(5_000_000_000), factor: 1)
}
