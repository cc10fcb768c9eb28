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
                let calls = agent.minutes.calls(last: window, endingAt: minute)
                let busy = RiskMath.exponential(stat.mean + 2 * stat.sigma(minimum: 0.2))
                let allowance = max(busy, 2 * Double(window) * hourly, 2)
                let value = RiskMath.logRamp(Double(calls) / allowance, from: config.rateRatioLow, to: config.rateRatioHigh)
                if value > relative || measures.rateWindow == 0 {
                    measures.rateCalls = calls
                    measures.rateWindow = window
                    measures.rateAllowance = allowance
                }
                relative = max(relative, value)
            }
            relative *= maturity
        }
        return max(absolute, relative)
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
            var busy = RiskMath.exponential(agent.minuteCost.mean + agent.minuteCost.sigma(minimum: 0.3))
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
        if maturity > 0, let tokens = measures.tokens {
            let zInput = agent.inputTokens.z(tokens.lnInput, minimumSigma: 0.2)
            let zRatio = -agent.outputRatio.z(tokens.lnOutputRatio, minimumSigma: 0.2)
            var zCache = 0.0
            if agent.cacheHit.mean >= 0.15 {
                zCache = (agent.cacheHit.mean - tokens.cacheHit) / agent.cacheHit.sigma(minimum: 0.1)
            }
            var zCost = 0.0
            if let value = tokens.lnCostPerThousand, agent.costPerToken.count > 0 {
                zCost = agent.costPerToken.z(value, minimumSigma: 0.2)
            }
            let strongest = max(zInput, zCost)
            let sum = max(0, zInput) + max(0, zRatio) + max(0, zCache) + max(0, zCost)
            measures.efficiencyZ = max(strongest, sum)
            tokenPart = max(
                RiskMath.ramp(strongest, from: config.efficiencySingleZ.low, to: config.efficiencySingleZ.high),
                RiskMath.ramp(sum, from: config.efficiencySumZ.low, to: config.efficiencySumZ.high)) * maturity
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
        let sigma = history.dispersion.sigma(minimum: config.historyMinimumSigma)
        var spend = 0.0
        var expected = 0.0
        var result = 0.0
        for back in 0..<3 {
            let open = hour - Int64(back)
            let index = Int(((open % 3) + 3) % 3)
            spend += Double(history.recentSpend[index])
            expected += Double(history.expectedSpend[2 - back]) * (back == 0 ? elapsed : 1)
            let hours = Double(back) + elapsed
            let ratio = (spend + floor) / (expected + floor)
            let z = RiskMath.ln(ratio) / (sigma / RiskMath.squareRoot(max(hours, 0.5)))
            let value = min(
                RiskMath.ramp(z, from: config.historyZ.low, to: config.historyZ.high),
                RiskMath.ramp(ratio, from: config.historyRatio.low, to: config.historyRatio.high))
            if value > result || back == 0 {
                measures.historyRatio = ratio
                measures.historyHours = back + 1
            }
            result = max(result, value)
        }
        return result
    }
}
