/// Scores usage events for risk. Pure and deterministic: time is the event's `occurred_at`,
/// never a clock, so replaying the same events in the same order gives the same scores.
///
/// **Score** = 25·rate + 30·spike + 20·efficiency + 15·switching + 10·history (weights in
/// `RiskConfig.weights`), but at least 50 × ramp(strongest factor, 0.8…0.95) (one saturated
/// factor alone makes HIGH; only agreeing factors reach CRITICAL), rounded, 0…100.
/// LOW < 25 ≤ MEDIUM < 50 ≤ HIGH < 80 ≤ CRITICAL.
///
/// **Factors** (each 0…1; "normal" is the agent's own moving baseline, learned from its events;
/// ramps are linear, "log" ramps linear in the log of a ratio):
/// - *rate*: the largest of
///   (a) the absolute tiers — calls and cost in the busier of the event's minute and the one
///   before, per agent and per session, against `rateTiers` (0.5 at "elevated", 1 at "limit",
///   linear between); below the last tier this part shrinks by up to 60 % as the agent gathers
///   its first day of history (an agent that normally spends $2 a minute is not suspect for it),
///   and over that day each cost limit rises to what the tier's calls limit would cost in the
///   agent's normal calls (e^(μ + σ) of ln cost) when that is more (an opus/o1-class agent's
///   ordinary pace is no cost violation) —
///   and (b) the sustained rate: calls in the 8th busiest of the last 10 minutes against the
///   highest of the agent's sustained peak (learned at the end of each minute, moving 5 % of
///   the way up per minute, halving every 4 h; a minute of an hour whose calls are already 2.5×
///   this hour-of-week's usual teaches it only as a HIGH minute does, so spend that ramps up
///   slowly does not raise the pace it is judged by), the pace it kept up at this time of day (the
///   same, learned per UTC hour of day and halving every 7 days; the highest of the event's
///   hour and the two beside it, as a nightly job starts a little earlier or later each night),
///   twice this hour-of-week's calls per minute, and 1: log ramp from 1.5× to 4×; and, once the
///   open hour's calls pass 1.5…2.5× this hour-of-week's usual calls (ramp), the same rate
///   against the higher of the sustained peak, the hour's plain calls per minute and 1, log ramp
///   from 4× to 6×, but at most its log ramp from 1.5× to 4× over that time-of-day pace (the
///   hourly allowance stands for the hour's usual calls — a nightly batch — not for a loop
///   beside or after it; a batch that merely started in the hour before its usual one keeps
///   its usual pace); once the calls of the previous and the open hour pass 4…6× (ramp) what
///   this hour-of-week's history expects of them so far, the same rate against the higher of
///   the sustained peak, the hour's plain calls per minute and 1, log ramp from 1.5× to 4×, and
///   at most that over the time-of-day pace (volume that climbs for hours — a drip — no longer
///   hides behind the hourly allowance, and this window does not start afresh on the hour) — or, where the time-of-day pace is 2…3× (ramp) the third highest pace
///   the agent kept up at the other hours of the day (a scheduled job's hour: that pace is a
///   precise memory), against the usual reference above (peak, time-of-day pace, hourly
///   allowance, 1), log ramp from 1.5× to 2.5× (a loop inside the agent's own nightly batch
///   adds only 1–3× the batch's pace; a batch that merely runs faster does the same work in
///   fewer minutes, so its hour's calls do not pass the history); all of this counting only from
///   1.5× the pace the agent keeps up at its other busy hours (the third highest of its
///   time-of-day paces outside this hour and the two beside it), fully from 3× (log ramp): an
///   agent keeping up its usual pace at a time of day it was quiet at — an earlier start, a
///   schedule moved to the night, a day after its peak decayed — is no loop;
///   and (c) the session's sustained rate (the same 8th busiest of its last 10 minutes) against
///   the highest of the pace the agent's sessions kept up (learned at the end of each of a
///   session's minutes like the peak, with the same weights; and the highest any session kept
///   up on earlier UTC days whatever it scored, as the hour history counts every call — a
///   nightly batch is one session; both halving every 7 days) and half a call a minute (an
///   ordinary session is a few calls over a minute or two), log ramp from 2× to 3×,
///   times a ramp of the agent's sustained rate over its usual reference (peak, time-of-day
///   pace, hourly allowance, 1) from 1.2× to 1.6× (a runaway loop is one
///   session calling back to back on top of the agent's usual traffic, which a busy agent
///   spreads over many sessions, so it hides in the agent's total but not in its session;
///   once the agent's history is a day old);
///   counting from the agent's first 20 events and once it has shown its pace (settled, and
///   active in 20 minutes: one that ran for five minutes days ago and is back has not). A
///   burst does not keep up its rate for 8 minutes out of 10; a runaway loop does.
/// - *spike*: the larger of the event's cost against the agent's normal cost per call
///   (e^(μ + σ) of ln cost; the higher of the agent's and this model's once the model is
///   established), log ramp 1× → 10×; and, for a model not (yet) established, its cost per
///   1000 tokens (its calls so far) against the agent's usual, log ramp 3.5× → 8× (an upgrade
///   costs ≤ ~3.5×; an opus/o1-class model 8–100×).
/// - *efficiency*: the larger of (a) token efficiency — per call, the robust z of input size or
///   of cost per 1000 tokens (against this model's norm once established, else the agent's)
///   from 4 to 8; over the last few calls (short-term levels, step 0.3), a stuffing score (input
///   rise plus the drop of output size and of cache-hit rate, the drops counting at most as much
///   as the rise) from 7 to 11; and the level of uncached input per output token, which must be
///   both 1.3 → 2.2 above the agent's norm in log and 3.5 → 6 above it in units of the level's
///   spread (one call alone: 2.3 → 3.2 in log and z 4 → 8; a slow level over the last 10–20
///   calls: 2.3 → 3.2 in log and z 3.5 → 6 in its own spread, while the short-term input level
///   is 1.3 → 2.2 above the agent's norm in log); a failed call counts its input
///   only — and (b) cost under-reporting: reported below the catalog by 20…60 % gives the event
///   a strength 0…1; a report ≥ 60 % below counts 1 at once; a milder one counts min(1,
///   2 × strength, max(strength/2, pattern)), where the agent's pattern grows by half the
///   strength per such event and halves with an honest report (so a report 40 % or more below
///   that keeps repeating is full by its 4th time; one 30 % below stays at half: a stale price).
/// - *switching*: the largest of distinct models (providers) in the last 15 minutes above the
///   agent's normal (at least 2 models, 1 provider), full at 2.5 extra models or 2 extra
///   providers; and novelty — models not established plus providers none of whose models is
///   established, in the window — from 1.5 to 3.5 (one new model, e.g. an upgrade, is 1).
///   When new models are among them, times a ramp of their share of the agent's calls since
///   the first of them appeared in the window (at least 5 minutes and 10 calls; a model first
///   seen before the window counts its calls prorated to it) from 3 % to 10 %: hopping moves
///   a good part of the agent's calls, while a fleet agent's odd call to a fallback model is
///   a sliver of them. When all are established, times the same ramp of the learned weight
///   share of those beyond the agent's usual few (its normal count of models, at least 2): a
///   few models it uses rarely that fall in one window are no hop.
/// - *history*: spend of the last hour or so (previous + open hour) and of the last 3 hours
///   against this hour-of-week's history (`RiskHourHistory`, same day type only): robust z of
///   ln((spend + floor) / (expected + floor)) from 3 to 5, gated by the ratio from 2× to 4×;
///   or the drift (a CUSUM of hourly z, counting only hours whose expectation is at least the
///   floor: an agent taking up hours it was idle in is not drifting) from 3 to 6 while spend
///   is still above history. Spend
///   of events already HIGH by the other factors is *explained* and left out (so a caught
///   attack does not keep raising the agent's later events for hours). 0 without history;
///   times a ramp of the agent's active hours of history from 1 to 3 (an agent that ran for
///   minutes days ago and is back has no habits of the hour yet).
///
/// A model is *established* (part of the agent's normal) once taught with weight ≥ 10 (normal
/// calls teach 1, suspect 0.1, HIGH 0.02), or — first used while the agent was new — taught
/// at least a fiftieth of all its models' weight, or first seen ≥ 6 h ago and used alongside
/// established models in ≥ 4 clock hours — so a new agent's models are its own and a rarely
/// used legitimate model stops being flagged, while a switch to a new model, or one seen only
/// in attack blocks, stays suspect.
///
/// **Cold start**: spike, token efficiency and novelty grow linearly from 0 at 5 events to full
/// at `matureEvents` (50), and count at most half (switching too) until the agent is settled;
/// the sustained rate, novelty and the new-pricey-model spike count
/// once the first hour is recorded in the agent's history (3–4 hours after its first event;
/// meanwhile its sustained peak learns the agent's pace 6× faster and the models it uses
/// become its own, so a new agent's steady rate and usual models are its normal); the absolute rate tiers and
/// under-reporting count from the first event. So a new agent is never CRITICAL for lack of
/// history, while a runaway loop still trips the rate tiers.
///
/// **Learning**: after scoring, the event teaches the baselines — fully when LOW with every
/// factor below 0.3, with weight 0.1 when suspect (MEDIUM or a factor ≥ 0.3, or token
/// efficiency ≥ 0.3 before the cold-start shrink), 0.02 when HIGH
/// or above, and at most 2 calls' worth per minute — so an attack or a flood does not become
/// the new normal. Minutes are learned when the next active minute starts and hours when they
/// leave the 3-hour window, so events a little out of order (up to ~15 minutes) land in their
/// own minute and hour.
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
        if !session.minutes.isEmpty, minute > session.minutes.newestMinute {
            learnSessionMinute(&agent, session: session, config: config)
        }
        session.minutes.advance(to: minute)
        session.minutes.add(minute: minute, cost: measures.amount)
        agent.hours.record(hour: floorDivide(minute, 60), cost: measures.amount)
        let modelIndex = touchModel(&agent, keys: measures.modelKeys, minute: minute, config: config)

        // 2. Factors.
        let factors = RiskFactors(
            rate: rateFactor(&measures, agent: agent, session: session),
            spike: spikeFactor(&measures, agent: agent, modelIndex: modelIndex),
            efficiency: efficiencyFactor(&measures, agent: agent),
            switching: switchingFactor(&measures, agent: agent),
            history: historyFactor(&measures, agent: agent))

        noteSessionPace(&agent, sustained: measures.sessionCalls, minute: minute, config: config)

        // 3. Score and signals.
        let score = Int(combined(factors, config: config).rounded())
        let level = RiskLevel(score: score)
        let breaker = breakerSignal(level: level, factors: factors, measures: measures, agent: &agent, minute: minute)

        // Spend caught by the other factors is explained: it no longer raises the history factor.
        var others = factors
        others.history = 0
        if combined(others, config: config) >= 49.5 {
            agent.hours.explain(hour: floorDivide(minute, 60), cost: measures.amount)
        }

        // 4. Learn.
        // A new agent (not settled yet) is still showing its normal: everything teaches fully,
        // or a legitimate but unusual habit (a pricier second model) would never be learned.
        // The cold-start shrink keeps a young agent's score down, not its guard on learning: an
        // event whose token efficiency would be suspect in a mature agent teaches as suspect, or
        // a quiet agent's baselines would soak up stuffing before they count fully.
        let suspect = isSettled(agent)
            && (level >= .medium || factors.strongest >= config.suspectFactor
                || measures.unshrunk >= config.suspectFactor)
        let weight = !suspect ? 1 : (level >= .high ? config.quarantineWeight : config.suspectWeight)
        if suspect && level >= .high {
            agent.quarantineUntilMinute = max(agent.quarantineUntilMinute, minute + 1)
        } else if suspect {
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

    /// The score before rounding: the weighted sum of the factors, but at least
    /// `singleFactorScore` × ramp(strongest factor, `singleFactorStart`…`singleFactorFull`), in 0…100.
    public static func combined(_ factors: RiskFactors, config: RiskConfig = RiskConfig()) -> Double {
        let floor = config.singleFactorScore
            * RiskMath.ramp(factors.strongest, from: config.singleFactorStart, to: config.singleFactorFull)
        return min(100, max(0, max(factors.weightedSum(config.weights), floor)))
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

    /// Finds or adds the entry of the event's model (`keys`) and marks it used at `minute`.
    private static func touchModel(_ agent: inout AgentRiskState, keys: (key: UInt64, provider: UInt64), minute: Int64,
                                   config: RiskConfig) -> Int {
        if let index = agent.modelIndex(keys.key) {
            let hourStart = floorDivide(minute, 60) * 60
            if agent.models[index].lastMinute < hourStart,
               agent.models.indices.contains(where: {
                   agent.models[$0].key != keys.key && agent.models[$0].lastMinute >= hourStart
                       && agent.isEstablished($0, at: minute, config: config)
               }) {
                agent.models[index].mixedHours += 1
            }
            agent.models[index].lastMinute = max(agent.models[index].lastMinute, minute)
            agent.models[index].firstMinute = min(agent.models[index].firstMinute, minute)
            agent.models[index].calls += 1
            return index
        }
        let entry = RiskModelEntry(
            key: keys.key, provider: keys.provider, weight: 0, lastMinute: minute, cost: RiskRunningStat(),
            firstMinute: minute, calls: 1)
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

    /// Learns the sustained peak at the end of the newest minute (before the ring moves on).
    private static func learnMinute(_ agent: inout AgentRiskState, config: RiskConfig) {
        let ended = agent.minutes.newestMinute
        agent.activeMinutes = min(agent.activeMinutes + 1, 1_000_000)
        var weight = learningWeight(agent, minute: ended, config: config)
        // An hour already far beyond its history teaches the paces as a HIGH minute does (an
        // hour the agent usually spends in: a quiet or idle one has no pace to keep).
        let hour = floorDivide(ended, 60)
        let history = agent.hours
        if history.expectedSamples > 0, hour == history.newestHour,
           history.spendsUsually(expected: history.expectedSpend[2]),
           Double(history.openCalls(hour)) >= config.paceLearningHourlyVolume * max(Double(history.expectedCalls), 1) {
            weight = min(weight, config.quarantineWeight)
        }
        let sustained = sustainedCalls(agent, endingAt: ended)
        let peak = agent.sustainedPeak(at: ended, halfLife: config.sustainedHalfLifeMinutes)
        // Rises by a step toward a higher sustained rate (so a loop that builds up over minutes
        // does not become its own reference), decays otherwise.
        let step = paceStep(agent, config)
        agent.sustainedPeak = sustained > peak ? peak + step * weight * (sustained - peak) : peak
        agent.sustainedPeakMinute = ended
        // The same for the ended minute's hour of day, remembered for days.
        agent.decayHourPace(to: floorDivide(ended, 1440), halfLifeDays: config.sustainedPaceHalfLifeDays)
        let slot = AgentRiskState.hourOfDay(ended)
        let pace = Double(agent.hourPace[slot]) / AgentRiskState.hourPaceScale
        if sustained > pace {
            let learned = (pace + step * weight * (sustained - pace)) * AgentRiskState.hourPaceScale
            agent.hourPace[slot] = UInt16(min(learned.rounded(), Double(UInt16.max)))
        }
    }

    /// What an ended minute teaches the paces: little when a HIGH (MEDIUM) event touched it.
    private static func learningWeight(_ agent: AgentRiskState, minute: Int64, config: RiskConfig) -> Double {
        minute <= agent.quarantineUntilMinute
            ? config.quarantineWeight : (minute <= agent.suspectUntilMinute ? config.suspectWeight : 1)
    }

    /// The step a pace takes toward a higher sustained rate: until the agent has shown its pace
    /// (its first hours), it follows quickly.
    private static func paceStep(_ agent: AgentRiskState, _ config: RiskConfig) -> Double {
        hasShownPace(agent, config) ? config.sustainedPeakStep : max(config.sustainedPeakStep, 0.3)
    }

    /// Learns the agent's session pace at the end of the session's newest minute.
    private static func learnSessionMinute(_ agent: inout AgentRiskState, session: SessionRiskState, config: RiskConfig) {
        let ended = session.minutes.newestMinute
        let sustained = sustainedCalls(session.minutes, endingAt: ended)
        let pace = agent.sessionPace(at: ended, halfLifeDays: config.sessionPaceHalfLifeDays)
        if sustained > pace {
            agent.sessionPace = pace + paceStep(agent, config) * learningWeight(agent, minute: ended, config: config) * (sustained - pace)
        } else {
            agent.sessionPace = pace
        }
        agent.sessionPaceMinute = max(agent.sessionPaceMinute, ended)
    }

    /// Notes the session's sustained rate so far in the day's highest, whatever the event
    /// scored (it counts from the next UTC day on: `AgentRiskState.sessionPaceBefore`). Noted
    /// as each event is scored, so a session's last minute counts too.
    private static func noteSessionPace(_ agent: inout AgentRiskState, sustained: Double, minute: Int64, config: RiskConfig) {
        let day = floorDivide(minute, 1440)
        if day > agent.sessionDay {
            agent.sessionEarlierPace = agent.sessionPaceBefore(minute, halfLifeDays: config.sessionPaceHalfLifeDays)
            agent.sessionDayPace = 0
            agent.sessionDay = day
        }
        if day == agent.sessionDay { agent.sessionDayPace = max(agent.sessionDayPace, sustained) }
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
        if let tokens = measures.tokens, !tokens.failed {
            agent.inputTokens.add(tokens.lnInput, alpha: alpha, weight: weight, initialDeviation: 0.7)
            agent.outputTokens.add(tokens.lnOutput, alpha: alpha, weight: weight, initialDeviation: 0.7)
            agent.cacheHit.add(tokens.cacheHit, alpha: alpha, weight: weight, initialDeviation: 0.15)
            agent.ioRatio.add(tokens.lnUncachedInput - tokens.lnOutput, alpha: alpha, weight: weight, initialDeviation: 0.8)
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
