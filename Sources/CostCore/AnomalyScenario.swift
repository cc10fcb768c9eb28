/// A seeded, labelled stream of usage events for evaluating the risk scorer: noisy normal
/// traffic of many agents over several days with attacks injected at random times.
///
/// Normal traffic: each agent has its own models (1–3, sometimes across providers, a few
/// legitimately on opus/o1-class), session rate with a day/night cycle in its own time zone
/// and a weekday/weekend difference, day-to-day and hour-to-hour noise, sessions of varying
/// length with growing context, log-normal token sizes, prompt caching (or not), errors,
/// occasional legitimate bursts (sessions 4–10× the agent's usual length, 1–5 s apart), nightly batch jobs for some agents
/// (3–15× their busy rate, start jittered by ~25 min), one-off model upgrades or downgrades,
/// and cost reporting that is accurate, slightly stale (±3–20 %) or absent.
///
/// Attacks (`AnomalyLabel`), each with random agent, start, duration and intensity, after the
/// warm-up days: see `AnomalyScenario+Attacks.swift`.
public struct AnomalyScenario: Sendable {
    public struct Config: Sendable {
        public var seed: UInt64
        public var agents: Int = 50
        public var days: Int = 3
        /// First simulated instant; default: a Monday 00:00 UTC plus (seed mod 7) days, so
        /// different seeds cover different weekdays and weekends.
        public var start: Timestamp?
        /// Days of normal traffic only, at the start, to build history (not scored by the evaluation).
        public var warmupDays: Int = 1
        public var episodesPerAttack: Int = 5
        /// How many times its normal spend a slow drip brings the agent to at its peak (drawn
        /// uniformly per episode); the default 3–8× is the repo's scenario, a stronger range
        /// measures the detector against a bolder drip.
        public var dripPeak: ClosedRange<Double> = 3...8
        /// Loops, token stuffing, provider hopping and under-reporting drawn weaker than the
        /// repo's scenario (`AnomalyScenario+Attacks.swift`): how the detector fares when an
        /// attack is not blatant. The slow drip has `dripPeak`; the expensive model is unchanged.
        public var milderAttacks = false

        public init(seed: UInt64, agents: Int = 50, days: Int = 3, warmupDays: Int = 1, episodesPerAttack: Int = 5,
                    dripPeak: ClosedRange<Double> = 3...8, milderAttacks: Bool = false) {
            self.seed = seed
            self.agents = agents
            self.days = days
            self.warmupDays = warmupDays
            self.episodesPerAttack = episodesPerAttack
            self.dripPeak = dripPeak
            self.milderAttacks = milderAttacks
        }

        var startSeconds: Int64 {
            start?.secondsSinceEpoch ?? (1_772_409_600 + Int64(seed % 7) * 86_400)  // 2026-03-02 is a Monday
        }
    }

    public var config: Config
    /// In `occurred_at` order (ties by event id).
    public var events: [AnomalyEvent]
    public var episodes: [AnomalyEpisode]
    public var catalog: PricingCatalog

    public var start: Timestamp { Timestamp(secondsSinceEpoch: config.startSeconds) }
    public var warmupEnd: Timestamp { start.adding(seconds: Int64(config.warmupDays) * 86_400) }

    public static func generate(_ config: Config) -> AnomalyScenario {
        var generator = AnomalyScenarioGenerator(config: config)
        return generator.run()
    }
}

/// Builds one scenario; `AnomalyScenario.generate` is the public entry.
struct AnomalyScenarioGenerator {
    let config: AnomalyScenario.Config
    let catalog = AnomalyScenarioCatalog.catalog()
    var random: AnomalyRandom
    var profiles: [AnomalyAgentProfile] = []
    /// Events per agent, in generation order.
    var perAgent: [[AnomalyEvent]] = []
    var episodes: [AnomalyEpisode] = []
    var counter = 0
    var sessionCounter = 0

    init(config: AnomalyScenario.Config) {
        self.config = config
        random = AnomalyRandom(seed: config.seed)
    }

    var start: Int64 { config.startSeconds }
    var end: Int64 { start + Int64(config.days) * 86_400 }

    mutating func run() -> AnomalyScenario {
        for index in 0..<config.agents {
            profiles.append(AnomalyAgentProfile.random(index: index, start: start, days: config.days, using: &random))
        }
        for index in profiles.indices {
            var agentRandom = random.split()
            perAgent.append(normalTraffic(profiles[index], using: &agentRandom))
        }
        injectAttacks()
        var all = perAgent.flatMap { $0 }.filter {
            $0.event.occurredAt.secondsSinceEpoch >= start && $0.event.occurredAt.secondsSinceEpoch < end
        }
        all.sort {
            ($0.event.occurredAt, $0.event.eventID.utf8.count, $0.event.eventID)
                < ($1.event.occurredAt, $1.event.eventID.utf8.count, $1.event.eventID)
        }
        return AnomalyScenario(config: config, events: all, episodes: episodes, catalog: catalog)
    }

    mutating func newSession(_ profile: AnomalyAgentProfile, _ kind: String) -> String {
        sessionCounter += 1
        return "\(profile.id)-\(kind)-\(sessionCounter)"
    }

    private mutating func normalTraffic(_ profile: AnomalyAgentProfile, using random: inout AnomalyRandom) -> [AnomalyEvent] {
        var events: [AnomalyEvent] = []
        var dayNoise = 1.0
        var hourNoise = 1.0
        let minutes = (end - start) / 60
        for minute in 0..<minutes {
            let seconds = start + minute * 60
            if minute % 1440 == 0 { dayNoise = random.logNormal(median: 1, sigma: 0.25) }
            if minute % 60 == 0 { hourNoise = random.logNormal(median: 1, sigma: 0.3) }
            let rate = profile.sessionsPerHourAtPeak / 60 * profile.intensity(at: seconds) * dayNoise * hourNoise
            for _ in 0..<random.poisson(rate) {
                let calls = max(1, Int(random.logNormal(median: profile.callsPerSession, sigma: 0.6).rounded()))
                session(profile, at: Double(seconds) + random.uniform(0, 60), calls: calls,
                        gap: profile.gapSeconds, kind: "s", into: &events, using: &random)
            }
            if random.chance(profile.burstsPerDay / 1440 * min(1, 3 * profile.intensity(at: seconds))) {
                let calls = Int(profile.callsPerSession * random.uniform(4, 10)) + 5
                session(profile, at: Double(seconds), calls: calls, gap: random.uniform(1, 5),
                        kind: "burst", into: &events, using: &random)
            }
        }
        if let batch = profile.batch {
            for day in 0..<config.days {
                let localStart = Double(start + Int64(day) * 86_400) + (batch.localHour - profile.utcOffsetHours) * 3600
                var time = localStart + 3600 * 0.4 * random.normal()
                let stop = time + 60 * batch.minutes * random.uniform(0.8, 1.2)
                let session = newSession(profile, "batch")
                while time < stop {
                    let input = random.logNormal(median: profile.inputMedian * 2, sigma: 0.4)
                    let output = random.logNormal(median: profile.outputMedian * 0.5, sigma: 0.4)
                    events.append(call(profile, at: time, session: session, model: profile.models(at: Int64(time))[0],
                                       input: input, output: output, cacheable: false, using: &random))
                    time += 60 / batch.callsPerMinute * random.logNormal(median: 1, sigma: 0.3)
                }
            }
        }
        return events
    }

    /// A session of `calls` calls with growing context.
    mutating func session(
        _ profile: AnomalyAgentProfile, at startTime: Double, calls: Int, gap: Double, kind: String,
        into events: inout [AnomalyEvent], using random: inout AnomalyRandom
    ) {
        let session = newSession(profile, kind)
        var time = startTime
        let base = random.logNormal(median: profile.inputMedian, sigma: profile.inputSigma)
        for step in 0..<calls {
            let models = profile.models(at: Int64(time))
            let model = models[random.pick(weights: Array(profile.modelWeights.prefix(models.count)))]
            let input = base * (1 + 0.2 * Double(min(step, 15))) * random.logNormal(median: 1, sigma: 0.2)
            let output = random.logNormal(median: profile.outputMedian, sigma: profile.outputSigma)
            events.append(call(profile, at: time, session: session, model: model, input: input, output: output,
                               cacheable: step > 0, using: &random))
            time += random.logNormal(median: gap, sigma: 0.7)
        }
    }

    /// One call, priced, with the agent's reporting habit.
    mutating func call(
        _ profile: AnomalyAgentProfile, at time: Double, session: String, model: AnomalyScenarioCatalog.Model,
        input rawInput: Double, output rawOutput: Double, cacheable: Bool, using random: inout AnomalyRandom,
        label: AnomalyLabel = .normal, episode: Int? = nil
    ) -> AnomalyEvent {
        counter += 1
        var input = Int64(min(max(rawInput, 1), 2_000_000))
        var output = Int64(min(max(rawOutput, 1), 64_000))
        var reasoning: Int64 = 0
        if model.reasons {
            reasoning = Int64(Double(output) * random.uniform(0.5, 2))
            output += reasoning
        }
        var cacheRead: Int64 = 0
        if cacheable, let hit = profile.cacheHit, model.cacheRead != nil {
            cacheRead = Int64(Double(input) * min(max(hit + 0.12 * random.normal(), 0), 0.95))
        }
        var status = UsageStatus.success
        let outcome = random.unit()
        if outcome < 0.015 {
            status = .error
            output = 0
            reasoning = 0
        } else if outcome < 0.02 {
            status = .rateLimited
            input = 0
            output = 0
            reasoning = 0
            cacheRead = 0
        }
        var event = UsageEvent(
            eventID: "\(profile.id)-\(counter)", occurredAt: Timestamp(microsecondsSinceEpoch: Int64(time * 1_000_000)),
            sessionID: session, agentID: profile.id, provider: model.provider, model: model.name,
            inputTokens: input, outputTokens: output, cacheReadTokens: cacheRead, reasoningTokens: reasoning,
            latencyMs: Int64(random.logNormal(median: 900, sigma: 0.6)), status: status)
        event.reportedCost = reported(profile, event)
        return AnomalyEvent(event: event, label: label, episode: episode)
    }

    func reported(_ profile: AnomalyAgentProfile, _ event: UsageEvent) -> Nanodollars? {
        let cost = CostCalculator.price(event, catalog: catalog).cost
        switch profile.reporting {
        case .none: return nil
        case .accurate: return cost
        case .stale(let factor): return Nanodollars(Int64((Double(cost.value) * factor).rounded()))
        }
    }
}
