/// The risk of one usage event.
public struct RiskAssessment: Sendable, Equatable {
    /// 0…100.
    public var score: Int
    public var level: RiskLevel
    /// 0…1: how much history stands behind the score (grows with events seen and hours recorded).
    public var confidence: Double
    public var factors: RiskFactors
    /// The reported cost differs from the catalog's by more than 1 % (`CostBreakdown.costMismatch`).
    public var costMismatch: Bool
    /// Short human-readable explanations of the factors ≥ 0.3, strongest first.
    public var reasons: [String]
    /// Set when this event should open the agent's breaker: `risk_critical` (level CRITICAL),
    /// `cost_spike` (a full spike factor: the call costs ≥ 10× the agent's normal, or a model new
    /// to the agent costs ≥ 8× its usual per token; after warm-up), or `rate_violation` (full
    /// rate factor for `sustainedViolationMinutes` minutes in a row).
    public var breakerSignal: String?

    public init(
        score: Int, level: RiskLevel, confidence: Double, factors: RiskFactors, costMismatch: Bool,
        reasons: [String], breakerSignal: String?
    ) {
        self.score = score
        self.level = level
        self.confidence = confidence
        self.factors = factors
        self.costMismatch = costMismatch
        self.reasons = reasons
        self.breakerSignal = breakerSignal
    }
}
