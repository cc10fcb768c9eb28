extension RiskScorer {
    /// One short sentence per factor ≥ 0.3, strongest first.
    static func reasons(_ factors: RiskFactors, _ measures: RiskMeasures) -> [String] {
        var items: [(Double, String)] = []
        if factors.rate >= 0.3 {
            if let tier = measures.absoluteTier {
                items.append((factors.rate, "rate: over the \(tier) rate tier"))
            } else {
                items.append((factors.rate,
                    "rate: \(measures.rateCalls)+ calls a minute in \(AgentRiskState.sustainedRank) of the last \(AgentRiskState.sustainedMinutes) min"
                        + (measures.rateInSession ? " in one session" : "") + ", usual at most \(decimal(measures.rateAllowance))"))
            }
        }
        if factors.spike >= 0.3 {
            if measures.priceRatio > measures.spikeRatio {
                items.append((factors.spike, "spike: a model new to the agent costs \(decimal(measures.priceRatio))× its usual per token"))
            } else {
                items.append((factors.spike, "spike: the call's cost is \(decimal(measures.spikeRatio))× normal"))
            }
        }
        if factors.efficiency >= 0.3 {
            if measures.underReportFraction >= measures.config.underReportFraction.low {
                let percent = Int((measures.underReportFraction * 100).rounded())
                items.append((factors.efficiency, "efficiency: reported cost \(percent) % below the catalog's"))
            } else {
                items.append((factors.efficiency, "efficiency: token use \(decimal(measures.efficiencyZ)) σ from the agent's normal"))
            }
        }
        if factors.switching >= 0.3 {
            items.append((factors.switching,
                "switching: \(measures.distinctModels) models from \(measures.distinctProviders) providers in \(measures.config.switchingWindowMinutes) min"
                    + (measures.newModels > 0 ? " (\(measures.newModels) new models and providers)" : "")))
        }
        if factors.history >= 0.3, measures.historyHours == 0 {
            items.append((factors.history,
                "history: spend has stayed above this hour-of-week's for hours (\(decimal(measures.historyRatio))× lately)"))
        } else if factors.history >= 0.3 {
            items.append((factors.history,
                "history: spend of the last \(measures.historyHours) h is \(decimal(measures.historyRatio))× this hour-of-week's"))
        }
        return items.sorted { $0.0 > $1.0 }.map(\.1)
    }

    /// `places` decimals (1 or more), no Foundation: 3.14159 → "3.1"; with 2 places "3.14".
    static func decimal(_ value: Double, places: Int = 1) -> String {
        guard value.isFinite else { return "∞" }
        var scale: Int64 = 1
        for _ in 0..<max(places, 1) { scale *= 10 }
        let limit = 1e16 / Double(scale)  // keeps the scaled value well inside Int64
        let scaled = Int64((min(max(value, -limit), limit) * Double(scale)).rounded())
        let sign = scaled < 0 ? "-" : ""
        let fraction = String(abs(scaled) % scale)
        return "\(sign)\(abs(scaled) / scale)." + String(repeating: "0", count: max(places, 1) - fraction.count) + fraction
    }
}
