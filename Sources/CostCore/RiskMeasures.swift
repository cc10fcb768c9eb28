/// The numbers behind one event's factors, computed once and kept for the reasons and for
/// learning afterwards.
struct RiskMeasures {
    struct Tokens {
        var lnInput: Double
        var lnOutput: Double
        /// ln(1 + uncached input): the input the model had to read afresh.
        var lnUncachedInput: Double
        var cacheHit: Double
        var lnCostPerThousand: Double?
        /// A failed call: input was sent but no output came back (output-based measures and
        /// learning skip it).
        var failed = false
    }

    let config: RiskConfig
    /// The event's (provider, model) keys (`RiskModelEntry.keys`), hashed once per event.
    let modelKeys: (key: UInt64, provider: UInt64)
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
    var rateAllowance: Double = 0
    /// Whether the sustained rate judged is the event's session's rather than the agent's.
    var rateInSession = false
    /// The session's sustained rate (calls in the 8th busiest of its last 10 minutes).
    var sessionCalls: Double = 0
    var absoluteTier: String?
    var spikeRatio: Double = 0
    /// A new model's cost per token against the agent's usual (0 when not measured).
    var priceRatio: Double = 0
    var efficiencyZ: Double = 0
    /// Token efficiency before the cold-start shrink (`RiskScorer.maturity`): what it would be
    /// for a mature agent. Guards learning, not the score.
    var unshrunk: Double = 0
    /// The agent's short-term token levels including this event.
    var recentLevels: [Double]?
    var underReportFraction: Double = 0
    var distinctModels = 0
    var distinctProviders = 0
    /// New models plus new providers in the switching window.
    var newModels = 0
    var historyRatio: Double = 0
    var historyHours = 0

    init(event: UsageEvent, cost: CostBreakdown, minute: Int64, config: RiskConfig) {
        self.config = config
        modelKeys = RiskModelEntry.keys(provider: event.provider, model: event.model)
        self.minute = minute
        minuteExact = Double(event.occurredAt.microsecondsSinceEpoch) / 60_000_000
        amount = cost.cost.value > 0 ? cost.cost : .zero
        lnCost = amount.value > 0 ? RiskMath.ln(Double(amount.value)) : nil
        if event.inputTokens > 0, event.status != .rateLimited {
            let input = Double(event.inputTokens)
            let output = Double(max(event.outputTokens, 0))
            let cacheRead = Double(min(max(event.cacheReadTokens, 0), event.inputTokens))
            let perThousand = amount.value > 0 ? RiskMath.ln(Double(amount.value) * 1000 / (input + output)) : nil
            tokens = Tokens(
                lnInput: RiskMath.ln(1 + input), lnOutput: RiskMath.ln(1 + output),
                lnUncachedInput: RiskMath.ln(1 + input - cacheRead),
                cacheHit: cacheRead / input, lnCostPerThousand: event.status == .success ? perThousand : nil,
                failed: event.status != .success)
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
