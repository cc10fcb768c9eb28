/// The numbers behind one event's factors, computed once and kept for the reasons and for
/// learning afterwards.
struct RiskMeasures {
    struct Tokens {
        var lnInput: Double
        var lnOutput: Double
        var cacheHit: Double
        var lnCostPerThousand: Double?
    }

    let config: RiskConfig
    let provider: String
    let model: String
    let minute: Int64
    let minuteExact: Double
    /// The cost that counts (catalog's when known), never negative.
    let amount: Nanodollars
    let lnCost: Double?
    /// Token measures of a successful call with input; nil otherwise.
    let tokens: Tokens?
    /// 0…1 when the agent reported a cost and the catalog priced the event; nil otherwise.
    let underReportStrength: Double?

    // Filled in by the factor functions, for reasons.
    var rateCalls: Int64 = 0
    var rateWindow: Int = 0
    var rateAllowance: Double = 0
    var absoluteTier: String?
    var spikeRatio: Double = 0
    var spikeOfMinute = false
    var efficiencyZ: Double = 0
    /// The agent's short-term token levels including this event.
    var recentLevels: [Double]?
    var underReportFraction: Double = 0
    var distinctModels = 0
    var distinctProviders = 0
    var historyRatio: Double = 0
    var historyHours = 0

    init(event: UsageEvent, cost: CostBreakdown, minute: Int64, config: RiskConfig) {
        self.config = config
        provider = event.provider
        model = event.model
        self.minute = minute
        minuteExact = Double(event.occurredAt.microsecondsSinceEpoch) / 60_000_000
        amount = cost.cost.value > 0 ? cost.cost : .zero
        lnCost = amount.value > 0 ? RiskMath.ln(Double(amount.value)) : nil
        if event.status == .success, event.inputTokens > 0 {
            let input = Double(event.inputTokens)
            let output = Double(max(event.outputTokens, 0))
            let cacheRead = Double(min(max(event.cacheReadTokens, 0), event.inputTokens))
            let perThousand = amount.value > 0 ? RiskMath.ln(Double(amount.value) * 1000 / (input + output)) : nil
            tokens = Tokens(
                lnInput: RiskMath.ln(1 + input), lnOutput: RiskMath.ln(1 + output),
                cacheHit: cacheRead / input, lnCostPerThousand: perThousand)
        } else {
            tokens = nil
        }
        if let reported = event.reportedCost, let catalog = cost.catalogCost, catalog.value > 0 {
            let fraction = max(0, 1 - Double(max(reported.value, 0)) / Double(catalog.value))
            underReportStrength = RiskMath.ramp(
                fraction, from: config.underReportFraction.low, to: config.underReportFraction.high)
            underReportFraction = fraction
        } else {
            underReportStrength = nil
        }
    }

    /// The agent's under-reporting pattern after an event of `strength`.
    func underReportingAfter(_ strength: Double, _ pattern: Double) -> Double {
        strength > 0
            ? min(1, pattern + config.underReportStep * strength)
            : pattern * (1 - config.underReportStep)
    }
}
