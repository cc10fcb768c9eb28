/// Scores usage events for risk. Pure and deterministic: time is the event's `occurred_at`,
/// never a clock, so replaying the same events in the same order gives the same scores.
///
/// **Score** = 25·rate + 30·spike + 20·efficiency + 15·switching + 10·history (weights in
/// `RiskConfig.weights`), at least `singleFactorScore` (50) × ramp(strongest factor, 0.6…0.95),
/// rounded, 0…100. LOW < 25 ≤ MEDIUM < 50 ≤ HIGH < 80 ≤ CRITICAL.
///
/// **Factors** (each 0…1; "normal" is the agent's own moving baseline, learned from its events):
/// - *rate*: the larger of (a) the absolute tiers — calls and cost in the busier of the event's
///   minute and the one before, per agent and per session, against `rateTiers` — and (b) calls
///   in the last 2, 5 and 15 minutes against an allowance of 2 × window × normal calls/min
///   (moving rate, or this hour-of-week's history when higher) + 1.5 × a normal busy minute:
///   0 at 3× the allowance, 1 at 10× (log scale). Part (b) needs history; part (a) does not.
/// - *spike*: the event's cost against the agent's normal cost per call (e^(μ+σ) of ln cost,
///   the higher of the agent's and this model's when the model is established), and the
///   minute's cost against a normal busy minute: 0 at 1×, 1 at 10× (log scale).
/// - *efficiency*: the larger of (a) token efficiency — robust z-scores against the agent's
///   history of input size (ln tokens), output/input ratio (low is odd), cache-hit rate (a drop
///   is odd when the agent caches) and cost per 1000 tokens; the strongest of input size and
///   cost per token from z 3.5 to 7, or their positive sum from 6 to 12 — and (b) cost
///   under-reporting: reported below the catalog by 20 %…60 % gives the event a strength 0…1;
///   the agent's pattern grows by half the strength per such event, so the second strongly
///   under-reported event in a row reaches 1 (a single one stays at 0.5).
/// - *switching*: distinct models and providers in the last 15 minutes above the agent's
///   normal (at least 2 models, 1 provider): full at 2.5 extra models or 2 extra providers.
/// - *history*: spend of the open hour, the last 2 and the last 3 hours against this
///   hour-of-week's history (`RiskHourHistory`): robust z of ln((spend + floor) / (expected +
///   floor)) from 2.5 to 5, gated by the spend ratio from 1.5× to 3×. 0 without history.
///
/// **Cold start**: the relative parts (b of rate, spike, token efficiency) grow linearly from
/// 0 at 5 events to full at `matureEvents` (50); the absolute rate tiers and under-reporting
/// count from the first event. So a new agent is never CRITICAL for lack of history, while a
/// runaway loop still trips the rate tiers.
///
/// **Learning**: after scoring, the event teaches the baselines; an event scored HIGH or above
/// teaches with weight `quarantineWeight` (0.1) only. Minutes are learned when they leave the
/// 16-minute ring and hours when they leave the 3-hour window, so events a little out of order
/// (up to ~15 minutes) land in their own minute and hour.
public enum RiskScorer {
    /// Pure: given the agent's and session's state BEFORE the event, returns the assessment and
    /// the updated states.
    public static func score(
        _ event: UsageEvent, cost: CostBreakdown, agent: AgentRiskState, session: SessionRiskState,
        config: RiskConfig = RiskConfig()
    ) -> (RiskAssessment, AgentRiskState, SessionRiskState) {
        var agent = agent
        var session = session
        let assessment = score(event, cost: cost, agent: &agent, session: &session, config: config)
        return (assessment, agent, session)
    }

    /// The same, updating the states in place (no copies; what a batch loop should call).
    public static func score(
        _ event: UsageEvent, cost: CostBreakdown, agent: inout AgentRiskState, session: inout SessionRiskState,
        config: RiskConfig = RiskConfig()
    ) -> RiskAssessment {
        let micros = event.occurredAt.microsecondsSinceEpoch
        let minute = floorDivide(micros, 60_000_000)
        var measures = RiskMeasures(event: event, cost: cost, minute: minute, config: config)

        // 1. Place the event in time.
        if !agent.minutes.isEmpty, minute > agent.minutes.newestMinute { learnMinute(&agent, config: config) }
        agent.minutes.advance(to: minute)
        agent.minutes.add(minute: minute, cost: measures.amount)
        session.minutes.advance(to: minute)
        session.minutes.add(minute: minute, cost: measures.amount)
        agent.hours.record(hour: floorDivide(minute, 60), cost: measures.amount)
        let modelIndex = touchModel(&agent, event: event, minute: minute, config: config)

        // 2. Factors.
        let factors = RiskFactors(
            rate: rateFactor(&measures, agent: agent, session: session),
            spike: spikeFactor(&measures, agent: agent, model: agent.models[modelIndex]),
            efficiency: efficiencyFactor(&measures, agent: agent),
            switching: switchingFactor(&measures, agent: agent),
            history: historyFactor(&measures, agent: agent))

        // 3. Score and signals.
        let floor = config.singleFactorScore
            * RiskMath.ramp(factors.strongest, from: config.singleFactorStart, to: config.singleFactorFull)
        let raw = min(100, max(0, max(factors.weightedSum(config.weights), floor)))
        let score = Int(raw.rounded())
        let level = RiskLevel(score: score)
        let breaker = breakerSignal(level: level, factors: factors, measures: measures, agent: &agent, minute: minute)

        // 4. Learn.
        let weight = level >= .high ? config.quarantineWeight : (level >= .medium ? config.suspectWeight : 1)
        if level >= .high {
            agent.quarantineUntilMinute = max(agent.quarantineUntilMinute, minute + 1)
        } else if level >= .medium {
            agent.suspectUntilMinute = max(agent.suspectUntilMinute, minute + 1)
        }
        let perMinute = min(1, 2 / Double(max(agent.minutes.calls(at: minute), 1)))
        learn(&agent, measures: measures, modelIndex: modelIndex, weight: weight * perMinute)
        session.eventsSeen += 1

        let hours = Double(agent.hours.hoursRecorded)
        let confidence = min(1, 0.1 + 0.5 * min(1, Double(agent.eventsSeen) / 500) + 0.4 * min(1, hours / 168))
        return RiskAssessment(
            score: score, level: level, confidence: confidence, factors: factors,
            costMismatch: cost.costMismatch, reasons: reasons(factors, measures), breakerSignal: breaker)
    }

    private static func breakerSignal(
        level: RiskLevel, factors: RiskFactors, measures: RiskMeasures, agent: inout AgentRiskState, minute: Int64
    ) -> String? {
        if factors.rate >= 0.999 {
            if minute == agent.lastViolationMinute + 1 {
                agent.violationStreak += 1
                agent.lastViolationMinute = minute
            } else if minute != agent.lastViolationMinute {
                agent.violationStreak = 1
                agent.lastViolationMinute = minute
            }
        }
        if level == .critical { return "risk_critical" }
        if factors.spike >= 0.999 { return "cost_spike" }
        if factors.rate >= 0.999, agent.violationStreak >= measures.config.sustainedViolationMinutes {
            return "rate_violation"
        }
        return nil
    }

    /// Finds or adds the entry of the event's model and marks it used at `minute`.
    private static func touchModel(_ agent: inout AgentRiskState, event: UsageEvent, minute: Int64, config: RiskConfig) -> Int {
        let keys = RiskModelEntry.keys(provider: event.provider, model: event.model)
        if let index = agent.modelIndex(keys.key) {
            agent.models[index].lastMinute = max(agent.models[index].lastMinute, minute)
            return index
        }
        let entry = RiskModelEntry(key: keys.key, provider: keys.provider, weight: 0, lastMinute: minute, cost: RiskRunningStat())
        if agent.models.count < AgentRiskState.maxModels {
            agent.models.append(entry)
            return agent.models.count - 1
        }
        // Replace the least used entry outside the switching window (else the least used).
        var victim = 0
        var best = (true, Double.infinity)
        for (index, candidate) in agent.models.enumerated() {
            let inWindow = candidate.lastMinute > minute - config.switchingWindowMinutes
            let rank = (inWindow, candidate.weight)
            if !rank.0 && best.0 || rank.0 == best.0 && rank.1 < best.1 {
                best = rank
                victim = index
            }
        }
        agent.models[victim] = entry
        return victim
    }

    /// Samples the busy level at the end of the newest minute (before the ring moves on).
    private static func learnMinute(_ agent: inout AgentRiskState, config: RiskConfig) {
        let ended = agent.minutes.newestMinute
        let weight = ended <= agent.quarantineUntilMinute
            ? config.quarantineWeight : (ended <= agent.suspectUntilMinute ? config.suspectWeight : 1)
        for (index, window) in AgentRiskState.rateWindows.enumerated() {
            let calls = windowCalls(agent, window: window, endingAt: ended)
            agent.windowCalls[index].add(
                RiskMath.ln(max(calls, 1)), alpha: config.minuteAlpha, weight: weight, initialDeviation: 0.7)
        }
        let cost = agent.minutes.cost(at: ended).value
        if cost > 0 {
            agent.minuteCost.add(RiskMath.ln(Double(cost)), alpha: config.minuteAlpha, weight: weight, initialDeviation: 1)
        }
    }

    private static func learn(_ agent: inout AgentRiskState, measures: RiskMeasures, modelIndex: Int, weight: Double) {
        let config = measures.config
        let alpha = config.baselineAlpha
        if let lnCost = measures.lnCost {
            agent.eventCost.add(lnCost, alpha: alpha, weight: weight, initialDeviation: 0.7)
            agent.models[modelIndex].cost.add(lnCost, alpha: 0.05, weight: weight, initialDeviation: 0.7)
        }
        agent.models[modelIndex].weight = min(agent.models[modelIndex].weight + weight, 1e6)
        if let levels = measures.recentLevels { agent.recentLevels = levels }
        if let tokens = measures.tokens {
            agent.inputTokens.add(tokens.lnInput, alpha: alpha, weight: weight, initialDeviation: 0.7)
            agent.outputTokens.add(tokens.lnOutput, alpha: alpha, weight: weight, initialDeviation: 0.7)
            agent.cacheHit.add(tokens.cacheHit, alpha: alpha, weight: weight, initialDeviation: 0.15)
            if let lnCostPerToken = tokens.lnCostPerThousand {
                agent.costPerToken.add(lnCostPerToken, alpha: alpha, weight: weight, initialDeviation: 0.5)
                agent.models[modelIndex].costPerToken.add(lnCostPerToken, alpha: 0.05, weight: weight, initialDeviation: 0.5)
            }
        }
        if let strength = measures.underReportStrength { agent.underReporting = measures.underReportingAfter(strength, agent.underReporting) }
        let step = 0.05 * weight
        agent.normalModels = max(0, agent.normalModels - 0.001)
        agent.normalProviders = max(0, agent.normalProviders - 0.001)
        if Double(measures.distinctModels) > agent.normalModels {
            agent.normalModels += step * (Double(measures.distinctModels) - agent.normalModels)
        }
        if Double(measures.distinctProviders) > agent.normalProviders {
            agent.normalProviders += step * (Double(measures.distinctProviders) - agent.normalProviders)
        }
        agent.eventsSeen += 1
    }
}
