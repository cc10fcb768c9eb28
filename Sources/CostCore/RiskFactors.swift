/// The five risk factors of one event, each 0…1 (see `RiskScorer` for their definitions).
public struct RiskFactors: Sendable, Equatable {
    public var rate: Double
    public var spike: Double
    public var efficiency: Double
    public var switching: Double
    public var history: Double

    public init(rate: Double = 0, spike: Double = 0, efficiency: Double = 0, switching: Double = 0, history: Double = 0) {
        self.rate = rate
        self.spike = spike
        self.efficiency = efficiency
        self.switching = switching
        self.history = history
    }

    /// Σ weight × factor.
    public func weightedSum(_ weights: RiskWeights) -> Double {
        weights.rate * rate + weights.spike * spike + weights.efficiency * efficiency
            + weights.switching * switching + weights.history * history
    }

    public var strongest: Double { max(rate, spike, efficiency, switching, history) }
}
