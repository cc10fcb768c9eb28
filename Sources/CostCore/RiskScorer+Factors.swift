extension RiskScorer {
    /// How much the factors relative to the agent's own normal count yet: from 0 at 5 events
    /// to 1 at `matureEvents`, and at most half until the agent is settled (`isSettled`) — so in its first
    /// hours one odd call (its first on a pricier model) is at most MEDIUM, never HIGH.
    static func maturity(_ agent: AgentRiskState, _ config: RiskConfig) -> Double {
        RiskMath.ramp(Double(agent.eventsSeen), from: 5, to: Double(max(config.matureEvents, 6)))
            * (isSettled(agent) ? 1 : 0.5)
    }

    static func rateFactor(_ measures: inout RiskMeasures, agent: AgentRiskState, session: SessionRiskState) -> Double {
        let config = measures.config
        let minute = measures.minute
        // (a) Absolute tiers.
        let agentCalls = Double(max(agent.minutes.calls(at: minute), agent.minutes.calls(at: minute - 1)))
        let agentCost = Double(max(agent.minutes.cost(at: minute), agent.minutes.cost(at: minute - 1)).value)
        let sessionCalls = Double(max(session.minutes.calls(at: minute), session.minutes.calls(at: minute - 1)))
        let sessionCost = Double(max(session.minutes.cost(at: minute), session.minutes.cost(at: minute - 1)).value)
        // The cost limits assume calls of ordinary price (the calls limit's worth of calls at
        // ~1.7 ¢ each). For an agent whose normal call costs more (an opus/o1-class agent), a
        // day of history raises each cost limit to what its calls limit would cost in the
        // agent's normal calls, so its ordinary pace is not a cost violation; a costlier call
        // than its normal is the spike's and efficiency's business.
        let mature = RiskMath.ramp(Double(agent.hours.hoursRecorded), from: 1, to: 24)
        let normalCall = agent.eventCost.count > 0 && mature > 0
            ? RiskMath.exponential(agent.eventCost.mean + agent.eventCost.sigma(minimum: 0.2)) : 0
        func costLimit(_ limit: Int64, calls: Int64) -> Double {
            guard limit > 0 else { return 0 }  // a disabled limit stays disabled
            let own = normalCall * Double(calls)
            return Double(limit) + max(0, own - Double(limit)) * mature
        }
        var absolute = 0.0
        var previous: RiskRateTier?
        for tier in config.rateTiers {
            let lowFactor = previous?.factor ?? 0
            // One measure against this tier's limit and the previous tier's (a function, not
            // an array of the four: no allocation per tier and event).
            func reach(_ value: Double, _ limit: Double, _ lowLimit: Double) {
                guard limit > 0 else { return }
                if value >= limit {
                    if tier.factor > absolute { measures.absoluteTier = tier.name }
                    absolute = max(absolute, tier.factor)
                } else if previous != nil, value > lowLimit, limit > lowLimit {
                    absolute = max(absolute, lowFactor + (tier.factor - lowFactor) * (value - lowLimit) / (limit - lowLimit))
                }
            }
            reach(agentCalls, Double(tier.agentCallsPerMinute), Double(previous?.agentCallsPerMinute ?? 0))
            reach(agentCost, costLimit(tier.agentCostPerMinute.value, calls: tier.agentCallsPerMinute),
                  previous.map { costLimit($0.agentCostPerMinute.value, calls: $0.agentCallsPerMinute) } ?? 0)
            reach(sessionCalls, Double(tier.sessionCallsPerMinute), Double(previous?.sessionCallsPerMinute ?? 0))
            reach(sessionCost, costLimit(tier.sessionCostPerMinute.value, calls: tier.sessionCallsPerMinute),
                  previous.map { costLimit($0.sessionCostPerMinute.value, calls: $0.sessionCallsPerMinute) } ?? 0)
            previous = tier
        }
        // Below the last tier the absolute part is a cold-start guard: once the agent has a day
        // of history, it counts for less (an agent that normally spends $2 a minute is not
        // suspect for doing so), while reaching the last tier always counts fully.
        if absolute < 1 {
            absolute *= 1 - config.matureTierDiscount * RiskMath.ramp(Double(agent.hours.hoursRecorded), from: 1, to: 24)
        }
        // (b) Sustained: the rate the agent has kept up minute after minute, against the highest
        // it kept up lately and twice this hour-of-week's usual rate (while the hour's calls are
        // within its history, see below). Bursts do not last; a
        // runaway loop does. (Short windows against the agent's own busy level were tried and
        // dropped: they flag the legitimate bursts and catch no loop the sustained rate misses.)
        let sustained = sustainedCalls(agent, endingAt: minute)
        let hourlyRate = Double(agent.hours.expectedCalls) / 60
        let peak = agent.sustainedPeak(at: minute, halfLife: config.sustainedHalfLifeMinutes)
        // The pace the agent kept up at this time of day on earlier days (a nightly batch).
        let pace = agent.timeOfDayPace(at: minute, halfLifeDays: config.sustainedPaceHalfLifeDays)
        // The pace the agent keeps up at other times of day (its busy hours).
        let elsewhere = agent.paceElsewhere(at: minute, halfLifeDays: config.sustainedPaceHalfLifeDays)
        let reference = max(peak, pace, config.sustainedHourlyFactor * hourlyRate, 1)
        var relative = RiskMath.logRamp(sustained / reference, from: config.sustainedRatio.low, to: config.sustainedRatio.high)
        // The hourly allowance stands for this hour-of-week's usual calls (a nightly batch, say)
        // made at a brisk pace. Once the open hour has made far more calls than that, the
        // allowance no longer explains the pace: it then also counts against the higher of the
        // agent's peak and the hour's plain average rate, with a stricter ratio — a loop running
        // beside or after the batch, or in the hour next to it.
        let hour = floorDivide(minute, 60)
        let usage = hour == agent.hours.newestHour
            ? Double(agent.hours.openCalls(hour)) / max(Double(agent.hours.expectedCalls), 1) : 0
        let beyond = RiskMath.ramp(usage, from: config.sustainedHourlyVolume.low, to: config.sustainedHourlyVolume.high)
        // Without the allowance: against the peak and the hour's plain average rate. A pace the
        // agent has kept up at this time of day before is no loop beside the batch, but the
        // batch itself started earlier or later than usual: these parts also ask the usual
        // ratio above that pace (a loop adds many times the batch's pace).
        let plain = max(peak, hourlyRate, 1)
        let overPace = pace > 0
            ? RiskMath.logRamp(sustained / pace, from: config.sustainedRatio.low, to: config.sustainedRatio.high) : 1
        if beyond > 0 {
            var part = min(overPace, RiskMath.logRamp(
                sustained / plain, from: config.sustainedBeyondRatio.low, to: config.sustainedBeyondRatio.high))
            if pace > 0 {
                // A pace remembered at this time of day far above the pace the agent keeps up at
                // other hours is a scheduled job's (a nightly batch): a precise memory, so the
                // usual reference is judged with a tighter ratio here — a loop running inside
                // the job adds only 1–3 times its pace, while the hour's volume is also up (a
                // job that merely runs faster tonight does the same work in fewer minutes).
                let job = RiskMath.ramp(pace / max(elsewhere, 1), from: config.sustainedJobPace.low, to: config.sustainedJobPace.high)
                if job > 0 {
                    part = max(part, job * RiskMath.logRamp(
                        sustained / reference, from: config.sustainedPaceRatio.low, to: config.sustainedPaceRatio.high))
                }
            }
            relative = max(relative, beyond * part)
        }
        // The last hour or so far beyond its history in calls (a window that does not start
        // afresh on the hour): the hourly allowance explains none of the pace any more.
        let volume = agent.hours.recentCallVolume(
            minute: minute, floor: config.sustainedVolumeFloor, atLeast: config.sustainedVolume.low)
        let far = RiskMath.ramp(volume, from: config.sustainedVolume.low, to: config.sustainedVolume.high)
        if far > 0 {
            relative = max(relative, far * min(overPace, RiskMath.logRamp(
                sustained / plain, from: config.sustainedRatio.low, to: config.sustainedRatio.high)))
        }
        // The pace the agent keeps up at its other busy hours, kept up at a time of day it was
        // quiet at (an earlier start, a schedule moved to the night, after its peak has decayed)
        // is no loop: the agent part counts only from `sustainedElsewhereRatio.low` times that
        // pace, fully from `.high` (a runaway loop adds many times it).
        if elsewhere > 0 {
            relative = min(relative, RiskMath.logRamp(
                sustained / elsewhere, from: config.sustainedElsewhereRatio.low, to: config.sustainedElsewhereRatio.high))
        }
        // The session's own sustained rate: a runaway loop is one session calling back to back,
        // while a busy agent's traffic spreads over many sessions — so a loop can hide in the
        // agent's total (within twice the hour's usual calls) but not in its session. Against
        // the highest of the pace the agent's sessions kept up (learned like the peak; and, as
        // the hour history does, whatever it scored, on earlier days: a nightly batch is one
        // session) and half a call a minute (`sessionPaceFloor`), with a tight ratio — a
        // session's pace is one worker's cadence, and a loop drops the pause between calls —
        // but only while the agent's total is also above its reference: the loop's calls come
        // on top of its usual traffic (a session doing the agent's usual work alone is no loop).
        let sessionSustained = sustainedCalls(session.minutes, endingAt: minute)
        measures.sessionCalls = sessionSustained
        // It counts once the agent has a day of history (its sessions' pace on an earlier day is
        // known: a new agent's first nightly batch is the new sustained rate the agent part says).
        if sessionSustained > 0, agent.hours.firstHour != .min, minute >= (agent.hours.firstHour + 24) * 60 {
            let sessionReference = max(
                agent.sessionPace(at: minute, halfLifeDays: config.sessionPaceHalfLifeDays),
                agent.sessionPaceBefore(minute, halfLifeDays: config.sessionPaceHalfLifeDays), config.sessionPaceFloor)
            let part = RiskMath.logRamp(sessionSustained / sessionReference,
                                        from: config.sessionPaceRatio.low, to: config.sessionPaceRatio.high)
                * RiskMath.ramp(sustained / reference, from: config.sessionExcess.low, to: config.sessionExcess.high)
            if part > relative {
                relative = part
                measures.rateInSession = true
                measures.rateCalls = Int64(sessionSustained)
                measures.rateAllowance = sessionReference
            }
        }
        relative *= RiskMath.ramp(Double(agent.eventsSeen), from: 0, to: 20) * (hasShownPace(agent, config) ? 1 : 0)
        if !measures.rateInSession {
            measures.rateCalls = Int64(sustained)
            measures.rateAllowance = reference
        }
        if relative > absolute { measures.absoluteTier = nil }
        return max(absolute, relative)
    }

    /// Whether the agent's first hour is recorded in its history (about 3–4 hours after its first
    /// event). Until then the agent is still showing what its normal is — its pace (the
    /// sustained peak learns it quickly meanwhile, see `learnMinute`) and its models (they
    /// become its own as it uses them) — so neither a steady pace nor a model counts as new
    /// for it yet. A new agent's runaway loop is caught by the absolute tiers meanwhile.
    static func isSettled(_ agent: AgentRiskState) -> Bool {
        agent.hours.hoursRecorded >= 1
    }

    /// Whether the agent's sustained rate is judged against its own pace: once it is settled and
    /// has been active in `RiskConfig.paceActiveMinutes` minutes. One that ran for five minutes
    /// days ago and is back has not had the chance to show its pace; until it has, its peak
    /// follows its pace quickly, as a new agent's does.
    static func hasShownPace(_ agent: AgentRiskState, _ config: RiskConfig) -> Bool {
        isSettled(agent) && agent.activeMinutes >= config.paceActiveMinutes
    }

    /// Calls in the `sustainedRank`-th busiest (8th) of the `sustainedMinutes` (10) minutes
    /// ending at `minute`, i.e. the third quietest (kept in three locals: no allocation).
    static func sustainedCalls(_ agent: AgentRiskState, endingAt minute: Int64) -> Double {
        sustainedCalls(agent.minutes, endingAt: minute)
    }

    /// The same over any minute ring (a session's).
    static func sustainedCalls(_ ring: RiskMinuteRing, endingAt minute: Int64) -> Double {
        var quietest: (Int32, Int32, Int32) = (.max, .max, .max)
        for back in 0..<Int64(AgentRiskState.sustainedMinutes) {
            let calls = ring.calls(at: minute - back)
            if calls < quietest.0 {
                quietest = (calls, quietest.0, quietest.1)
            } else if calls < quietest.1 {
                quietest = (quietest.0, calls, quietest.1)
            } else if calls < quietest.2 {
                quietest.2 = calls
            }
        }
        return Double(quietest.2)
    }

    static func spikeFactor(_ measures: inout RiskMeasures, agent: AgentRiskState, modelIndex: Int) -> Double {
        let config = measures.config
        let maturity = maturity(agent, config)
        guard maturity > 0, measures.amount.value > 0 else { return 0 }
        let model = agent.models[modelIndex]
        let established = agent.isEstablished(modelIndex, at: measures.minute, config: config)
        var normal = RiskMath.exponential(agent.eventCost.mean + agent.eventCost.sigma(minimum: 0.2))
        if established {
            normal = max(normal, RiskMath.exponential(model.cost.mean + model.cost.sigma(minimum: 0.2)))
        }
        measures.spikeRatio = Double(measures.amount.value) / normal
        var value = RiskMath.logRamp(measures.spikeRatio, from: 1, to: config.spikeFullRatio)
        // A model that is not (yet) one of the agent's own, priced far above what the agent
        // usually pays per token: its level (the model's calls so far, this one included)
        // against the agent's usual cost per 1000 tokens.
        if isSettled(agent), !established, agent.costPerToken.count > 0,
           let lnCost = measures.tokens?.lnCostPerThousand {
            let level = model.costPerToken.count > 0
                ? model.costPerToken.mean + (lnCost - model.costPerToken.mean) / Double(min(max(model.calls, 1), 8))
                : lnCost
            measures.priceRatio = RiskMath.exponential(level - agent.costPerToken.mean)
            value = max(value, RiskMath.logRamp(measures.priceRatio, from: config.newModelPriceRatio.low, to: config.newModelPriceRatio.high))
        }
        return value * maturity
    }

    static func efficiencyFactor(_ measures: inout RiskMeasures, agent: AgentRiskState) -> Double {
        let config = measures.config
        var tokenPart = 0.0
        let maturity = maturity(agent, config)
        if maturity > 0, let tokens = measures.tokens, agent.inputTokens.count > 0 {
            // Cost per 1000 tokens against this model's norm once established (else the agent's).
            var costStat = agent.costPerToken
            if let index = agent.modelIndex(measures.modelKeys.key),
               agent.models[index].costPerToken.count > 0,
               agent.isEstablished(index, at: measures.minute, config: config) {
                costStat = agent.models[index].costPerToken
            }
            let lnCost = tokens.lnCostPerThousand
            let zInput = agent.inputTokens.z(tokens.lnInput, minimumSigma: 0.3)
            let zCost = lnCost.map { costStat.count > 0 ? costStat.z($0, minimumSigma: 0.2) : 0 } ?? 0
            // Short-term levels, this event included.
            // (A failed call keeps the output level: it says nothing about output size.)
            let output = tokens.failed ? agent.recentLevels[1] : tokens.lnOutput
            let values = [tokens.lnInput, output, tokens.cacheHit, lnCost ?? agent.recentLevels[3],
                          tokens.lnUncachedInput - output, tokens.lnUncachedInput - output]
            var levels = agent.recentLevels
            for index in levels.indices {
                let alpha = index == 5 ? AgentRiskState.slowAlpha : AgentRiskState.recentAlpha
                levels[index] = agent.eventsSeen == 0 ? values[index] : levels[index] + alpha * (values[index] - levels[index])
            }
            measures.recentLevels = levels
            let shrink = RiskMath.squareRoot(AgentRiskState.recentAlpha / (2 - AgentRiskState.recentAlpha))
            let sInput = (levels[0] - agent.inputTokens.mean) / (agent.inputTokens.sigma(minimum: 0.3) * shrink)
            let sOutput = (agent.outputTokens.mean - levels[1]) / (agent.outputTokens.sigma(minimum: 0.3) * shrink)
            let sCache = agent.cacheHit.mean >= 0.15
                ? (agent.cacheHit.mean - levels[2]) / (agent.cacheHit.sigma(minimum: 0.1) * shrink) : 0
            // Stuffing: inputs up while outputs shrink and the cache stops hitting. Context that
            // grows within normal sessions raises the input only; a batch without cache drops
            // the hit rate only. The drops count up to the input rise.
            let rise = max(0, sInput)
            let stuffing = rise + min(rise, max(0, sOutput) + max(0, sCache))
            measures.efficiencyZ = max(zInput, zCost, stuffing)
            // Uncached input per output token: stuffing multiplies it many times over, whatever
            // the agent's sizes; context that grows (and is cached) or a batch job moves it far less. Its short-term
            // level must be both far (log shift) and clearly (z) above the agent's norm.
            var ratioPart = 0.0
            if agent.ioRatio.count > 0 {
                let sigma = agent.ioRatio.sigma(minimum: 0.3)
                let shift = levels[4] - agent.ioRatio.mean
                let callShift = values[4] - agent.ioRatio.mean
                // The slow level (about the last 10–20 calls) is the same measure with less noise:
                // a shift that persists stands out of an agent's noisy ratio (sizes that vary a
                // lot call by call) where the short-term level cannot. It asks the shift of one
                // call alone, and the input itself to be up by the short-term level's shift:
                // context that grows, or a job that skips the cache or writes shorter answers,
                // moves the ratio for long too, but not the input by an order of magnitude.
                let slowShift = levels[5] - agent.ioRatio.mean
                let slowShrink = RiskMath.squareRoot(AgentRiskState.slowAlpha / (2 - AgentRiskState.slowAlpha))
                ratioPart = max(
                    min(RiskMath.ramp(shift, from: config.ioRatioShift.low, to: config.ioRatioShift.high),
                        RiskMath.ramp(shift / (sigma * shrink), from: config.ioRatioZ.low, to: config.ioRatioZ.high)),
                    min(RiskMath.ramp(slowShift, from: config.ioRatioShift.low + 1, to: config.ioRatioShift.high + 1),
                        RiskMath.ramp(slowShift / (sigma * slowShrink), from: config.ioRatioZ.low, to: config.ioRatioZ.high),
                        RiskMath.ramp(levels[0] - agent.inputTokens.mean, from: config.ioRatioShift.low, to: config.ioRatioShift.high)),
                    min(RiskMath.ramp(callShift, from: config.ioRatioShift.low + 1, to: config.ioRatioShift.high + 1),
                        RiskMath.ramp(callShift / sigma, from: config.efficiencySingleZ.low, to: config.efficiencySingleZ.high)))
                if ratioPart > 0 {
                    measures.efficiencyZ = max(measures.efficiencyZ, shift / (sigma * shrink), slowShift / (sigma * slowShrink))
                }
            }
            let raw = max(
                RiskMath.ramp(max(zInput, zCost), from: config.efficiencySingleZ.low, to: config.efficiencySingleZ.high),
                RiskMath.ramp(stuffing, from: config.efficiencyStuffingZ.low, to: config.efficiencyStuffingZ.high),
                ratioPart)
            measures.unshrunk = max(measures.unshrunk, raw)
            tokenPart = raw * maturity
        }
        var reportPart = 0.0
        if let strength = measures.underReportStrength, strength > 0 {
            // A report at least `underReportFraction.high` below the catalog is no stale price: it
            // counts fully at once. A milder one counts half until it repeats, and as it keeps
            // repeating up to `underReportRepeat` times its strength: an agent that reports half
            // the catalog's cost call after call is under-reporting, not quoting a stale price.
            let pattern = measures.underReportingAfter(strength, agent.underReporting)
            reportPart = strength >= 1 ? 1 : min(1, config.underReportRepeat * strength, max(0.5 * strength, pattern))
        }
        return max(tokenPart, reportPart)
    }

    static func switchingFactor(_ measures: inout RiskMeasures, agent: AgentRiskState) -> Double {
        let config = measures.config
        let distinct = agent.distinctInWindow(endingAt: measures.minute, window: config.switchingWindowMinutes, config: config)
        measures.distinctModels = distinct.models
        measures.distinctProviders = distinct.providers
        measures.newModels = distinct.newModels + distinct.newProviders
        let extraModels = Double(distinct.models) - max(agent.normalModels.rounded(.up), config.baseModels)
        let extraProviders = Double(distinct.providers) - max(agent.normalProviders.rounded(.up), config.baseProviders)
        // Novelty: models (and providers) the agent does not normally use, in the window. An
        // upgrade or one new model adds 1 (2 with a new provider); hopping adds many.
        let novelty = RiskMath.ramp(Double(measures.newModels), from: config.novelty.low, to: config.novelty.high)
            * maturity(agent, config) * (isSettled(agent) ? 1 : 0)
        // Until the agent is settled, its mix of models is still being learned: at most half.
        let learned = isSettled(agent) ? 1 : 0.5
        let spread = max(
            RiskMath.ramp(extraModels, from: 0, to: config.extraModelsFull) * learned,
            RiskMath.ramp(extraProviders, from: 0, to: config.extraProvidersFull) * learned,
            novelty)
        // Hopping moves a good part of the agent's calls to models it does not use; a few odd
        // calls to other models (a fallback, a one-off test) are a sliver of them.
        // Without new ones, the models are all the agent's own: several in one window is hopping
        // only when those beyond its usual few carry a real part of its traffic, not when a few
        // it uses rarely (a fallback, a one-off) happen to fall in the same 15 minutes.
        guard distinct.newModels > 0 else {
            guard spread > 0 else { return 0 }
            let usual = Int(max(agent.normalModels.rounded(.up), config.baseModels))
            let minor = agent.minorModelShare(endingAt: measures.minute, window: config.switchingWindowMinutes, usual: usual)
            return spread * RiskMath.ramp(minor, from: config.noveltyShare.low, to: config.noveltyShare.high)
        }
        return spread * RiskMath.ramp(distinct.newShare, from: config.noveltyShare.low, to: config.noveltyShare.high)
    }

    static func historyFactor(_ measures: inout RiskMeasures, agent: AgentRiskState) -> Double {
        let config = measures.config
        let history = agent.hours
        guard history.expectedSamples > 0, history.newestHour != .min else { return 0 }
        let hour = floorDivide(measures.minute, 60)
        guard hour == history.newestHour else { return 0 }  // a late event: judged by the newest hour's events
        let elapsed = Double(measures.minute - hour * 60 + 1) / 60
        let floor = history.spendFloor(minimum: config.historyMinimumSpend.value)
        func spend(_ back: Int64) -> Double {
            Double(history.unexplainedSpend(hour - back))
        }
        // The last hour or so (previous + open hour) and the last 3 hours.
        let windows = [
            (spend(0) + spend(1), Double(history.expectedSpend[1]) + Double(history.expectedSpend[2]) * elapsed, 0),
            (spend(0) + spend(1) + spend(2),
             Double(history.expectedSpend[0]) + Double(history.expectedSpend[1]) + Double(history.expectedSpend[2]) * elapsed, 1),
        ]
        var result = 0.0
        for (actual, expected, index) in windows {
            let ratio = (actual + floor) / (expected + floor)
            let sigma = history.sigma(index, prior: config.historyPriorSigma, minimum: config.historyMinimumSigma)
            let center = history.dispersion[index].count >= 24 ? max(0, history.dispersion[index].mean) : 0
            let z = (RiskMath.ln(ratio) - center) / sigma
            let value = min(
                RiskMath.ramp(z, from: config.historyZ.low, to: config.historyZ.high),
                RiskMath.ramp(ratio, from: config.historyRatio.low, to: config.historyRatio.high))
            if value > result || index == 0 {
                measures.historyRatio = ratio
                measures.historyHours = index == 0 ? 2 : 3
            }
            result = max(result, value)
        }
        // Drift: the CUSUM of finished hours plus the open hour so far, while the last hours
        // are still above history.
        let openRatio = (spend(0) + floor * elapsed) / ((Double(history.expectedSpend[2]) + floor) * elapsed)
        let openZ = history.spendsUsually(expected: history.expectedSpend[2]) ? history.hourZ(RiskMath.ln(openRatio)) : 0
        let drift = max(0, history.drift + (openZ - RiskHourHistory.driftSlack) * elapsed)
        let recent = (windows[0].0 + floor) / (windows[0].1 + floor)
        let driftValue = min(
            RiskMath.ramp(drift, from: config.historyDrift.low, to: config.historyDrift.high),
            RiskMath.ramp(recent, from: 1.2, to: config.historyRatio.low))
        if driftValue > result {
            measures.historyRatio = recent
            measures.historyHours = 0
        }
        result = max(result, driftValue)
        // An agent with only a few active hours behind it (one that ran for minutes days ago
        // and is back) has no habits of the hour to deviate from yet.
        return result * RiskMath.ramp(history.activeHourSpend.count, from: config.historyActiveHours.low, to: config.historyActiveHours.high)
    }
}
