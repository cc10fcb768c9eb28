/// How one simulated agent behaves normally. Drawn at random per agent; every number varies.
struct AnomalyAgentProfile: Sendable {
    enum Reporting: Sendable { case none, accurate, stale(Double) }

    struct Batch: Sendable {
        var localHour: Double
        var minutes: Double
        var callsPerMinute: Double
    }

    var id: String
    var models: [AnomalyScenarioCatalog.Model]
    var modelWeights: [Double]
    /// A permanent change of the primary model at this time (seconds since epoch), if any.
    var upgrade: (at: Int64, to: AnomalyScenarioCatalog.Model)?
    var sessionsPerHourAtPeak: Double
    var callsPerSession: Double
    var gapSeconds: Double
    var inputMedian: Double
    var inputSigma: Double
    var outputMedian: Double
    var outputSigma: Double
    /// Mean cache-hit share of input after a session's first call; nil when the agent does not cache.
    var cacheHit: Double?
    var reporting: Reporting
    var utcOffsetHours: Double
    var nightLevel: Double
    var weekendLevel: Double
    var burstsPerDay: Double
    var batch: Batch?

    /// Typical calls per minute while the agent is busy (peak hours).
    var peakCallsPerMinute: Double { sessionsPerHourAtPeak * callsPerSession / 60 }

    static func random(index: Int, start: Int64, days: Int, using random: inout AnomalyRandom) -> AnomalyAgentProfile {
        let all = AnomalyScenarioCatalog.models
        let providers = ["openai", "openai", "openai", "openai", "anthropic", "anthropic", "anthropic", "google", "google", "mistral", "deepseek"]
        let provider = random.pick(providers)
        let tierDraw = random.unit()
        let tier: AnomalyScenarioCatalog.Tier = tierDraw < 0.68 ? .cheap : (tierDraw < 0.95 ? .mid : .expensive)
        var candidates = all.filter { $0.provider == provider && $0.tier == tier }
        if candidates.isEmpty { candidates = all.filter { $0.tier == tier } }
        var models = [random.pick(candidates)]
        var weights = [1.0]
        if random.chance(0.5) {  // a second model, usually the same provider (a router: small and big)
            let sameProvider = random.chance(0.8)
            let pool = all.filter { ($0.provider == provider) == sameProvider && $0.tier != .expensive && !models.contains($0) }
            if !pool.isEmpty {
                models.append(random.pick(pool))
                weights.append(random.uniform(0.1, 0.6))
            }
        }
        if random.chance(0.15) {
            let pool = all.filter { $0.tier == .cheap && !models.contains($0) }
            models.append(random.pick(pool))
            weights.append(random.uniform(0.05, 0.3))
        }
        var upgrade: (Int64, AnomalyScenarioCatalog.Model)?
        if random.chance(0.25), let targets = AnomalyScenarioCatalog.upgrades[models[0].name],
           let target = AnomalyScenarioCatalog.named(random.pick(targets)) {
            upgrade = (start + Int64(random.uniform(0.3, Double(days) - 0.2) * 86_400), target)
        }
        let reportingDraw = random.unit()
        let reporting: Reporting
        switch reportingDraw {
        case ..<0.55: reporting = .accurate
        case ..<0.7: reporting = .stale(random.chance(0.5) ? random.uniform(0.85, 0.97) : random.uniform(1.03, 1.2))
        default: reporting = .none
        }
        let alwaysOn = random.chance(0.1)
        var batch: Batch?
        let sessions = min(max(random.logNormal(median: 4, sigma: 1.1), 0.3), 60)
        let callsPerSession = min(max(random.logNormal(median: 4, sigma: 0.7), 1), 30)
        if random.chance(0.2) {
            let busy = sessions * callsPerSession / 60
            batch = Batch(localHour: random.uniform(0, 5), minutes: random.uniform(20, 90),
                          callsPerMinute: max(2, busy * random.uniform(3, 15)))
        }
        return AnomalyAgentProfile(
            id: "agent-\(index < 10 ? "0" : "")\(index)",
            models: models, modelWeights: weights, upgrade: upgrade,
            sessionsPerHourAtPeak: sessions, callsPerSession: callsPerSession,
            gapSeconds: random.uniform(3, 25),
            inputMedian: min(max(random.logNormal(median: 1800, sigma: 1.0), 150), 60_000),
            inputSigma: random.uniform(0.4, 0.9),
            outputMedian: min(max(random.logNormal(median: 300, sigma: 0.8), 20), 4000),
            outputSigma: random.uniform(0.4, 0.8),
            cacheHit: random.chance(0.5) ? random.uniform(0.3, 0.85) : nil,
            reporting: reporting,
            utcOffsetHours: Double(random.integer(-8...9)),
            nightLevel: alwaysOn ? random.uniform(0.5, 1) : random.uniform(0.02, 0.25),
            weekendLevel: alwaysOn ? 1 : random.uniform(0.1, 0.9),
            burstsPerDay: random.uniform(0, 1.5),
            batch: batch)
    }

    /// Share of the peak session rate at `seconds` (Unix): day/night cycle in the agent's local
    /// time, lower on its weekend.
    func intensity(at seconds: Int64) -> Double {
        let local = Double(seconds) / 3600 + utcOffsetHours
        let hour = local - 24 * (local / 24).rounded(.down)
        let day = Int64((local / 24).rounded(.down))
        let weekday = Int(((day + 3) % 7 + 7) % 7)  // 0 = Monday (1970-01-01 was a Thursday)
        var work = 0.0
        if hour > 7, hour < 21 {
            let phase = (hour - 7) / 14
            work = RiskMath.exponential(1.2 * RiskMath.ln(max(1e-9, 1 - RiskMath.cosine(2 * Double.pi * phase)) / 2))
        }
        let level = nightLevel + (1 - nightLevel) * work
        return weekday >= 5 ? level * weekendLevel : level
    }

    /// The primary model in force at `seconds`.
    func models(at seconds: Int64) -> [AnomalyScenarioCatalog.Model] {
        guard let upgrade, seconds >= upgrade.at else { return models }
        var result = models
        result[0] = upgrade.to
        return result
    }
}
