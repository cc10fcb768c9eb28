/// What produced a scenario event: normal traffic or one kind of attack.
public enum AnomalyLabel: String, Sendable, CaseIterable, Comparable {
    case normal
    /// An agent calling in a tight loop: calls/min × 20–50.
    case runawayLoop = "runaway_loop"
    /// Huge inputs with little output; the cache-hit rate drops.
    case tokenStuffing = "token_stuffing"
    /// Rapid switching across many providers and models.
    case providerHopping = "provider_hopping"
    /// Spend rising over hours well above the agent's hour-of-week history, no per-call spike.
    case slowDrip = "slow_drip"
    /// A sudden switch to an expensive model: cost per call × 15–60.
    case expensiveModel = "expensive_model"
    /// `reported_cost_usd` far below the catalog's cost.
    case costUnderReporting = "cost_under_reporting"

    public static var attacks: [AnomalyLabel] { allCases.filter { $0 != .normal } }

    public static func < (lhs: AnomalyLabel, rhs: AnomalyLabel) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
