import CostCore
import Testing

/// Builds events and replays them through `RiskScorer` for the risk tests.
struct RiskReplay {
    static let catalog = AnomalyScenarioCatalog.catalog()
    /// Monday 2026-03-02 00:00 UTC.
    static let monday: Int64 = 1_772_409_600

    var config = RiskConfig()
    var agents: [String: AgentRiskState] = [:]
    var sessions: [String: SessionRiskState] = [:]
    private var counter = 0

    mutating func event(
        at seconds: Double, agent: String = "agent-a", session: String = "session-1", provider: String = "openai",
        model: String = "gpt-4o-mini", input: Int64 = 2000, output: Int64 = 300, cacheRead: Int64 = 0,
        reportedShare: Double? = nil
    ) -> UsageEvent {
        counter += 1
        var event = UsageEvent(
            eventID: "e-\(counter)", occurredAt: Timestamp(microsecondsSinceEpoch: Int64(seconds * 1_000_000)),
            sessionID: session, agentID: agent, provider: provider, model: model,
            inputTokens: input, outputTokens: output, cacheReadTokens: cacheRead)
        if let reportedShare {
            let cost = CostCalculator.price(event, catalog: Self.catalog).cost
            event.reportedCost = Nanodollars(Int64((Double(cost.value) * reportedShare).rounded()))
        }
        return event
    }

    mutating func score(_ event: UsageEvent) -> RiskAssessment {
        RiskScorer.score(
            event, cost: CostCalculator.price(event, catalog: Self.catalog),
            agent: &agents[event.agentID, default: AgentRiskState()],
            session: &sessions[event.sessionID, default: SessionRiskState()], config: config)
    }

    /// Scores a new event built from the arguments.
    @discardableResult
    mutating func call(
        at seconds: Double, agent: String = "agent-a", session: String = "session-1", provider: String = "openai",
        model: String = "gpt-4o-mini", input: Int64 = 2000, output: Int64 = 300, cacheRead: Int64 = 0,
        reportedShare: Double? = nil
    ) -> RiskAssessment {
        score(event(at: seconds, agent: agent, session: session, provider: provider, model: model, input: input,
                    output: output, cacheRead: cacheRead, reportedShare: reportedShare))
    }

    /// `count` ordinary calls, one every `every` seconds from `start`, with token sizes varying
    /// ±40 % (seeded). Returns the time after the last one.
    @discardableResult
    mutating func warm(
        from start: Double, count: Int, every: Double = 60, agent: String = "agent-a", model: String = "gpt-4o-mini",
        cacheShare: Double = 0, seed: UInt64 = 1
    ) -> Double {
        var random = AnomalyRandom(seed: seed)
        var time = start
        for index in 0..<count {
            let input = Int64(2000 * random.uniform(0.6, 1.4))
            call(at: time, agent: agent, session: "warm-\(index / 5)", model: model, input: input,
                 output: Int64(300 * random.uniform(0.6, 1.4)), cacheRead: Int64(Double(input) * cacheShare))
            time += every
        }
        return time
    }
}
