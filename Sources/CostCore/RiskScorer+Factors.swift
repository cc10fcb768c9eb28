extension RiskScorer {
    /// 0 at 5 events, 1 at `matureEvents`: how much the relative factors count yet.
    static func maturity(_ agent: AgentRiskState, _ config: RiskConfig) -> Double {
        RiskMath.ramp(Double(agent.eventsSeen), from: 5, to: Double(max(config.matureEvents, 6)))
    }

    static func rateFactor(_ measures: inout RiskMeasures, agent: AgentRiskState, session: SessionRiskState) -> Double {
        let config = measures.config
        let minute = measures.minute
        // (a) Absolute tiers.
        let agentCalls = Double(max(agent.minutes.calls(at: minute), agent.minutes.calls(at: minute - 1)))
        let agentCost = Double(max(agent.minutes.cost(at: minute), agent.minutes.cost(at: minute - 1)).value)
        let sessionCalls = Double(max(session.minutes.calls(at: minute), session.minutes.calls(at: minute - 1)))
        let sessionCost = Double(max(session.minutes.cost(at: minute), session.minutes.cost(at: minute - 1)).value)
        var absolute = 0.0
        var previous: RiskRateTier?
        for tier in config.rateTiers {
            let reached = [
                (agentCalls, Double(tier.agentCallsPerMinute), Double(previous?.agentCallsPerMinute ?? 0)),
                (agentCost, Double(tier.agentCostPerMinute.value), Double(previous?.agentCostPerMinute.value ?? 0)),
                (sessionCalls, Double(tier.sessionCallsPerMinute), Double(previous?.sessionCallsPerMinute ?? 0)),
                (sessionCost, Double(tier.sessionCostPerMinute.value), Double(previous?.sessionCostPerMinute.value ?? 0)),
            ]
            let lowFactor = previous?.factor ?? 0
            for (value, limit, lowLimit) in reached where limit > 0 {
                if value >= limit {
                    if tier.factor > absolute { measures.absoluteTier = tier.name }
                    absolute = max(absolute, tier.factor)
                } else if previous != nil, value > lowLimit, limit > lowLimit {
                    absolute = max(absolute, lowFactor + (tier.factor - lowFactor) * (value - lowLimit) / (limit - lowLimit))
                }
            }
            previous = tier
        }
        // (b) Against the agent's own normal.
        var relative = 0.0
        let maturity = maturity(agent, config)
        if maturity > 0 {
            let hourly = agent.hours.expectedSamples > 0 ? Double(agent.hours.expectedCalls) / 60 : 0
            for (index, window) in AgentRiskState.rateWindows.enumerated() {
                let stat = agent.windowCalls[index]
                guard stat.count > 0 else { continue }
                let calls = windowCalls(agent, window: window, endingAt: minute)
                let busy = RiskMath.exponential(stat.mean + 2 * stat.sigma(minimum: 0.2))
                let allowance = max(busy, 2 * Double(window) * hourly, 2)
                let value = RiskMath.logRamp(calls / allowance, from: config.rateRatioLow, to: config.rateRatioHigh)
                if value > relative || measures.rateWindow == 0 {
                    measures.rateCalls = Int64(calls)
                    measures.rateWindow = window
                    measures.rateAllowance = allowance
                }
                relative = max(relative, value)
            }
            relative *= maturity
        }
        return max(absolute, relative)
    }

    /// Calls of the agent in the `window` minutes ending at `minute` (60: from the hour totals).
    static func windowCalls(_ agent: AgentRiskState, window: Int, endingAt minute: Int64) -> Double {
        window >= 60
            ? agent.hours.trailingHourCalls(minute: minute)
            : Double(agent.minutes.calls(last: window, endingAt: minute))
    }

    static func spikeFactor(_ measures: inout RiskMeasures, agent: AgentRiskState, model: RiskModelEntry) -> Double {
        let config = measures.config
        let maturity = maturity(agent, config)
        guard maturity > 0, measures.amount.value > 0 else { return 0 }
        var normal = RiskMath.exponential(agent.eventCost.mean + agent.eventCost.sigma(minimum: 0.2))
        if model.weight >= 10 {
            normal = max(normal, RiskMath.exponential(model.cost.mean + model.cost.sigma(minimum: 0.2)))
        }
        let eventRatio = Double(measures.amount.value) / normal
        var minuteRatio = 0.0
        if agent.minuteCost.count > 0 {
            var busy = RiskMath.exponential(agent.minuteCost.mean + 2 * agent.minuteCost.sigma(minimum: 0.3))
            if agent.hours.expectedSamples > 0 { busy = max(busy, Double(agent.hours.expectedSpend[2]) / 20) }
            minuteRatio = Double(agent.minutes.cost(at: measures.minute).value) / max(busy, normal)
        }
        measures.spikeOfMinute = minuteRatio > eventRatio
        measures.spikeRatio = max(eventRatio, minuteRatio)
        return RiskMath.logRamp(measures.spikeRatio, from: 1, to: config.spikeFullRatio) * maturity
    }

    static func efficiencyFactor(_ measures: inout RiskMeasures, agent: AgentRiskState) -> Double {
        let config = measures.config
        var tokenPart = 0.0
        let maturity = maturity(agent, config)
        if maturity > 0, let tokens = measures.tokens, agent.inputTokens.count > 0 {
            // Cost per 1000 tokens against this model's norm once established (else the agent's).
            var costStat = agent.costPerToken
            if let index = agent.modelIndex(RiskModelEntry.keys(provider: measures.provider, model: measures.model).key),
               agent.models[index].costPerToken.count >= 5 {
                costStat = agent.models[index].costPerToken
            }
            let lnCost = tokens.lnCostPerThousand
            let zInput = agent.inputTokens.z(tokens.lnInput, minimumSigma: 0.3)
            let zCost = lnCost.map { costStat.count > 0 ? costStat.z($0, minimumSigma: 0.2) : 0 } ?? 0
            // Short-term levels, this event included.
            let values = [tokens.lnInput, tokens.lnOutput, tokens.cacheHit, lnCost ?? agent.recentLevels[3]]
            var levels = agent.recentLevels
            for index in 0..<4 {
                levels[index] = agent.eventsSeen == 0 ? values[index]
                    : levels[index] + AgentRiskState.recentAlpha * (values[index] - levels[index])
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
            tokenPart = max(
                RiskMath.ramp(max(zInput, zCost), from: config.efficiencySingleZ.low, to: config.efficiencySingleZ.high),
                RiskMath.ramp(stuffing, from: config.efficiencyStuffingZ.low, to: config.efficiencyStuffingZ.high)
            ) * maturity
        }
        var reportPart = 0.0
        if let strength = measures.underReportStrength, strength > 0 {
            let pattern = measures.underReportingAfter(strength, agent.underReporting)
            reportPart = min(strength, max(0.5 * strength, pattern))
        }
        return max(tokenPart, reportPart)
    }

    static func switchingFactor(_ measures: inout RiskMeasures, agent: AgentRiskState) -> Double {
        let config = measures.config
        let distinct = agent.distinctInWindow(endingAt: measures.minute, window: config.switchingWindowMinutes)
        measures.distinctModels = distinct.models
        measures.distinctProviders = distinct.providers
        let extraModels = Double(distinct.models) - max(agent.normalModels.rounded(.up), config.baseModels)
        let extraProviders = Double(distinct.providers) - max(agent.normalProviders.rounded(.up), config.baseProviders)
        return max(
            RiskMath.ramp(extraModels, from: 0, to: config.extraModelsFull),
            RiskMath.ramp(extraProviders, from: 0, to: config.extraProvidersFull))
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
            Double(history.recentSpend[Int((((hour - back) % 3) + 3) % 3)])
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
        let drift = max(0, history.drift + (history.hourZ(RiskMath.ln(openRatio)) - RiskHourHistory.driftSlack) * elapsed)
        let recent = (windows[0].0 + floor) / (windows[0].1 + floor)
        let driftValue = min(
            RiskMath.ramp(drift, from: config.historyDrift.low, to: config.historyDrift.high),
            RiskMath.ramp(recent, from: 1.2, to: config.historyRatio.low))
        if driftValue > result {
            measures.historyRatio = recent
            measures.historyHours = 0
        }
        result = max(result, driftValue)
        return result
    }
}
