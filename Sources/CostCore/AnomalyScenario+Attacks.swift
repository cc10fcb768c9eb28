/// The attacks injected into a scenario, each at a random agent and time after the warm-up,
/// with random duration and intensity:
/// - runaway loop: a new session calling back to back at 20–50× the agent's busy call rate
///   (at least 5/min), 10–60 min, sometimes with context growing every call;
/// - token stuffing: for 15–90 min the agent's calls carry 8–60× the input with 0.1–0.4× the
///   output and no cache hits, plus 0.3–2 extra such calls a minute;
/// - provider hopping: 10–45 min of extra calls at 1–4× the busy rate, each on one of 4–10
///   models across at least 2 providers;
/// - slow drip: 3–6 h of extra ordinary calls whose rate ramps over 1–3 h until the agent
///   spends 3–8× its normal (`Config.dripPeak`), started in the agent's working day;
/// - expensive model: for 20–120 min the agent's calls use an opus/o1-class model costing
///   15–60× per call (agents whose main model is cheap);
/// - cost under-reporting: for 30–180 min the agent reports 0–30 % of the catalog cost.
/// With `Config.milderAttacks`: loops at 5–15× the busy rate (at least 3 calls a minute),
/// stuffing 3–8× the input, hopping over 2–3 models (still at least 2 providers), and reports
/// of 30–60 % of the catalog cost; the same draws otherwise, so only those attacks' events change.
/// All events of the attack carry its label and episode id. Events the agent makes on its own
/// during an additive attack (loop, hopping, drip) stay labelled normal.
extension AnomalyScenarioGenerator {
    mutating func injectAttacks() {
        var plan: [AnomalyLabel] = []
        for _ in 0..<config.episodesPerAttack { plan += AnomalyLabel.attacks }
        for label in plan {
            var attackRandom = random.split()
            for _ in 0..<60 where inject(label, using: &attackRandom) { break }
        }
    }

    private func overlaps(_ agent: String, _ from: Int64, _ to: Int64) -> Bool {
        episodes.contains {
            $0.agentID == agent && from < $0.end.secondsSinceEpoch + 3600 && to + 3600 > $0.start.secondsSinceEpoch
        }
    }

    private func ownEvents(_ agent: Int, _ from: Int64, _ to: Int64) -> [Int] {
        perAgent[agent].indices.filter {
            let event = perAgent[agent][$0]
            let seconds = event.event.occurredAt.secondsSinceEpoch
            return event.label == .normal && seconds >= from && seconds < to
        }
    }

    /// Tries one placement; false when it does not fit (the caller retries).
    private mutating func inject(_ label: AnomalyLabel, using random: inout AnomalyRandom) -> Bool {
        let agent = random.integer(0...(profiles.count - 1))
        let profile = profiles[agent]
        let minutes: Double
        switch label {
        case .runawayLoop: minutes = random.uniform(10, 60)
        case .tokenStuffing: minutes = random.uniform(15, 90)
        case .providerHopping: minutes = random.uniform(10, 45)
        case .slowDrip: minutes = random.uniform(180, 360)
        case .expensiveModel: minutes = random.uniform(20, 120)
        case .costUnderReporting, .normal: minutes = random.uniform(30, 180)
        }
        let earliest = start + Int64(config.warmupDays) * 86_400
        let latest = end - Int64(minutes * 60)
        guard latest > earliest else { return false }
        var from = earliest + Int64(random.unit() * Double(latest - earliest))
        if label == .slowDrip {  // start within the agent's working morning
            let day = (from - start) / 86_400
            from = start + day * 86_400 + Int64((random.uniform(7, 13) - profile.utcOffsetHours) * 3600)
            guard from >= earliest, from <= latest, profile.intensity(at: from) > 0.2 else { return false }
        }
        let to = from + Int64(minutes * 60)
        guard !overlaps(profile.id, from, to) else { return false }
        let id = episodes.count
        let peak = max(profile.peakCallsPerMinute, 0.2)
        var intensity = 0.0
        var detectable = from + 180
        var added: [AnomalyEvent] = []
        let own = ownEvents(agent, from, to)

        switch label {
        case .runawayLoop:
            let (low, high, least) = config.milderAttacks ? (5.0, 15.0, 3.0) : (20.0, 50.0, 5.0)
            let rate = min(max(random.uniform(low, high) * peak, least), 600)
            intensity = rate / peak
            detectable = from + 600
            let session = newSession(profile, "loop")
            let model = profile.models(at: from)[0]
            let base = random.logNormal(median: profile.inputMedian, sigma: profile.inputSigma)
            let growth = random.chance(0.5) ? random.uniform(0.005, 0.03) : 0
            var time = Double(from)
            var step = 0.0
            while time < Double(to) {
                let input = base * min(1 + growth * step, 6) * random.logNormal(median: 1, sigma: 0.15)
                let output = random.logNormal(median: profile.outputMedian, sigma: 0.3)
                added.append(call(profile, at: time, session: session, model: model, input: input, output: output,
                                  cacheable: step > 0, using: &random, label: label, episode: id))
                time += 60 / rate * random.logNormal(median: 1, sigma: 0.4)
                step += 1
            }
        case .tokenStuffing:
            let inputFactor = config.milderAttacks ? random.uniform(3, 8) : random.uniform(8, 60)
            let outputFactor = random.uniform(0.1, 0.4)
            intensity = inputFactor
            for index in own where perAgent[agent][index].event.status == .success {
                var event = perAgent[agent][index].event
                event.inputTokens = min(Int64(Double(event.inputTokens) * inputFactor), 2_000_000)
                event.outputTokens = max(1, Int64(Double(event.outputTokens) * outputFactor))
                event.reasoningTokens = min(event.reasoningTokens, event.outputTokens)
                event.cacheReadTokens = 0
                event.cacheWriteTokens = 0
                event.reportedCost = reported(profile, event)
                perAgent[agent][index] = AnomalyEvent(event: event, label: label, episode: id)
            }
            let rate = random.uniform(0.3, 2)
            var time = Double(from) + random.uniform(0, 60 / rate)
            let session = newSession(profile, "stuff")
            while time < Double(to) {
                let model = profile.models(at: Int64(time))[0]
                let input = random.logNormal(median: profile.inputMedian * inputFactor, sigma: 0.4)
                let output = random.logNormal(median: profile.outputMedian * outputFactor, sigma: 0.4)
                added.append(call(profile, at: time, session: session, model: model, input: input, output: output,
                                  cacheable: false, using: &random, label: label, episode: id))
                time += 60 / rate * random.logNormal(median: 1, sigma: 0.5)
            }
        case .providerHopping:
            let all = AnomalyScenarioCatalog.models
            var set: [AnomalyScenarioCatalog.Model] = []
            let count = config.milderAttacks ? random.integer(2...3) : random.integer(4...10)
            while set.count < count {
                let candidate = random.pick(all)
                if !set.contains(candidate) { set.append(candidate) }
            }
            guard Set(set.map(\.provider)).count >= 2 else { return false }
            intensity = Double(count)
            let rate = min(max(random.uniform(1, 4) * peak, 1), 60)
            let session = newSession(profile, "hop")
            var time = Double(from)
            while time < Double(to) {
                let input = random.logNormal(median: profile.inputMedian, sigma: profile.inputSigma)
                let output = random.logNormal(median: profile.outputMedian, sigma: profile.outputSigma)
                added.append(call(profile, at: time, session: session, model: random.pick(set), input: input,
                                  output: output, cacheable: false, using: &random, label: label, episode: id))
                time += 60 / rate * random.logNormal(median: 1, sigma: 0.6)
            }
        case .slowDrip:
            let peakFactor = random.uniform(config.dripPeak.lowerBound, config.dripPeak.upperBound)
            let ramp = min(random.uniform(60, 180), minutes - 60) * 60
            intensity = peakFactor
            detectable = from + Int64(ramp * 1.5 / (peakFactor - 1))
            var minute = from
            var session = newSession(profile, "drip")
            while minute < to {
                let progress = min(1, Double(minute - from) / ramp)
                let extra = (peakFactor - 1) * progress
                let perSession = profile.sessionsPerHourAtPeak / 60 * max(profile.intensity(at: minute), 0.3)
                for _ in 0..<random.poisson(extra * perSession) {
                    if random.chance(0.3) { session = newSession(profile, "drip") }
                    let calls = max(1, Int(random.logNormal(median: profile.callsPerSession, sigma: 0.6).rounded()))
                    var time = Double(minute) + random.uniform(0, 60)
                    let base = random.logNormal(median: profile.inputMedian, sigma: profile.inputSigma)
                    for step in 0..<calls {
                        let models = profile.models(at: Int64(time))
                        let model = models[random.pick(weights: Array(profile.modelWeights.prefix(models.count)))]
                        let input = base * (1 + 0.2 * Double(min(step, 15))) * random.logNormal(median: 1, sigma: 0.2)
                        let output = random.logNormal(median: profile.outputMedian, sigma: profile.outputSigma)
                        added.append(call(profile, at: time, session: session, model: model, input: input, output: output,
                                          cacheable: step > 0, using: &random, label: label, episode: id))
                        time += random.logNormal(median: profile.gapSeconds, sigma: 0.7)
                    }
                }
                minute += 60
            }
        case .expensiveModel:
            let primary = profile.models(at: from)[0]
            guard primary.tier == .cheap, own.count >= 3 else { return false }
            let targets = AnomalyScenarioCatalog.models.filter { $0.tier == .expensive }
            let ratio = { (model: AnomalyScenarioCatalog.Model) in
                (Double(model.input) / Double(primary.input) + Double(model.output) / Double(primary.output)) / 2
            }
            let fitting = targets.filter { (15...60).contains(ratio($0)) }
            let target = fitting.isEmpty ? targets.min { abs(ratio($0) - 30) < abs(ratio($1) - 30) }! : random.pick(fitting)
            intensity = ratio(target)
            for index in own {
                var event = perAgent[agent][index].event
                event.provider = target.provider
                event.model = target.name
                if target.reasons, event.status == .success {
                    event.reasoningTokens = Int64(Double(event.outputTokens) * random.uniform(0.5, 2))
                    event.outputTokens += event.reasoningTokens
                } else {
                    event.reasoningTokens = 0
                }
                if target.cacheRead == nil { event.cacheReadTokens = 0 }
                event.reportedCost = reported(profile, event)
                perAgent[agent][index] = AnomalyEvent(event: event, label: label, episode: id)
            }
        case .costUnderReporting:
            guard own.count >= 3 else { return false }
            let shares = config.milderAttacks ? 0.3...0.6 : 0...0.3
            let share = random.uniform(shares.lowerBound, shares.upperBound)
            intensity = share
            for index in own {
                var event = perAgent[agent][index].event
                let cost = CostCalculator.price(event, catalog: catalog).cost
                event.reportedCost = Nanodollars(Int64((Double(cost.value) * min(share * random.uniform(0.8, 1.2), shares.upperBound)).rounded()))
                perAgent[agent][index] = AnomalyEvent(event: event, label: label, episode: id)
            }
        case .normal:
            return false
        }
        perAgent[agent] += added
        episodes.append(AnomalyEpisode(
            id: id, label: label, agentID: profile.id, start: Timestamp(secondsSinceEpoch: from),
            end: Timestamp(secondsSinceEpoch: to), detectableFrom: Timestamp(secondsSinceEpoch: min(detectable, to)),
            intensity: intensity))
        return true
    }
}
