#if canImport(Glibc)
import Glibc
#endif
import CostCore

/// A deterministic simulated agent fleet: agents working in sessions, a realistic mix of
/// providers and models (weighted toward the cheap, popular ones), prompt caching where
/// providers offer it, reasoning tokens on reasoning models, the odd error or timeout, and
/// now and then a model the catalog does not know (with a reported cost).
///
/// Each agent behaves like a real one, consistently: a main model (90 % of its calls), a
/// second model of the same provider (9.8 %), rarely anything else (0.2 %); prompts and answers
/// of its own typical size (spread ×/÷ 2.5 around it). So its traffic is normal for the
/// anomaly worker, as a production fleet's would be.
public struct SimulatedFleet: Sendable {
    struct Profile: Sendable {
        let provider: String
        let model: String
        let weight: Int
        let caching: Bool
        let reasoning: Bool
    }

    static let profiles: [Profile] = [
        .init(provider: "openai", model: "gpt-4o-mini", weight: 18, caching: true, reasoning: false),
        .init(provider: "openai", model: "gpt-4o", weight: 8, caching: true, reasoning: false),
        .init(provider: "openai", model: "gpt-4.1-mini", weight: 8, caching: true, reasoning: false),
        .init(provider: "openai", model: "gpt-5-mini", weight: 5, caching: true, reasoning: true),
        .init(provider: "openai", model: "o4-mini", weight: 3, caching: true, reasoning: true),
        .init(provider: "anthropic", model: "claude-sonnet-4-5", weight: 14, caching: true, reasoning: false),
        .init(provider: "anthropic", model: "claude-haiku-4-5", weight: 10, caching: true, reasoning: false),
        .init(provider: "anthropic", model: "claude-opus-4-1", weight: 2, caching: true, reasoning: false),
        .init(provider: "google", model: "gemini-2.5-flash", weight: 10, caching: true, reasoning: true),
        .init(provider: "google", model: "gemini-2.5-pro", weight: 4, caching: true, reasoning: true),
        .init(provider: "mistral", model: "mistral-small-latest", weight: 4, caching: false, reasoning: false),
        .init(provider: "mistral", model: "mistral-large-latest", weight: 2, caching: false, reasoning: false),
        .init(provider: "deepseek", model: "deepseek-chat", weight: 5, caching: true, reasoning: false),
        .init(provider: "deepseek", model: "deepseek-reasoner", weight: 2, caching: true, reasoning: true),
        .init(provider: "openai", model: "acme-internal-finetune", weight: 1, caching: false, reasoning: false),
    ]

    private var rng: SplitMix64
    private let runID: String
    private let agentCount: Int
    private var sessions: [Int]
    private var sequence: UInt64 = 0
    private let totalWeight: Int

    /// `runID` prefixes every event_id, so separate runs never collide.
    public init(agents: Int, seed: UInt64, runID: String) {
        precondition(agents > 0, "a fleet needs at least one agent")
        self.rng = SplitMix64(seed: seed)
        self.runID = runID
        self.agentCount = agents
        self.sessions = Array(repeating: 0, count: agents)
        self.totalWeight = Self.profiles.reduce(0) { $0 + $1.weight }
    }

    /// The next model call of some agent, occurring at `time`.
    public mutating func next(at time: Timestamp) -> UsageEvent {
        sequence += 1
        let agent = Int(rng.next() % UInt64(agentCount))
        if rng.chance(percent: 3) { sessions[agent] += 1 }
        let profile = pickProfile(agent: agent)
        let habits = Self.habits(agent: agent)
        let input = Int64(rng.logUniform(habits.input * 2 / 5, habits.input * 5 / 2))
        var cacheRead: Int64 = 0, cacheWrite: Int64 = 0, reasoning: Int64 = 0
        if profile.caching && rng.chance(percent: 55) {
            cacheRead = input * Int64(rng.next() % 80) / 100
            if profile.provider == "anthropic" && rng.chance(percent: 20) { cacheWrite = (input - cacheRead) / 2 }
        }
        var output = Int64(rng.logUniform(habits.output * 2 / 5, habits.output * 5 / 2))
        if profile.reasoning {
            reasoning = Int64(rng.logUniform(habits.output / 2, habits.output * 4))
            output += reasoning
        }
        let status: UsageStatus = rng.chance(percent: 2) ? (rng.chance(percent: 50) ? .error : .timeout) : .success
        let unknown = profile.model == "acme-internal-finetune"
        return UsageEvent(
            eventID: "\(runID)-\(sequence)", occurredAt: time,
            sessionID: "sess-\(runID)-\(agent)-\(sessions[agent])", agentID: "agent-\(agent)",
            conversationID: nil, provider: profile.provider, model: profile.model,
            inputTokens: input, outputTokens: output, cacheReadTokens: cacheRead, cacheWriteTokens: cacheWrite,
            reasoningTokens: reasoning,
            reportedCost: unknown ? Nanodollars(Int64(input) * 900 + Int64(output) * 3_600) : nil,
            latencyMs: Int64(rng.logUniform(150, 30_000)), status: status, requestID: "req-\(sequence)",
            tags: ["team": "team-\(agent % 5)", "env": "sim"])
    }

    /// Agents stick to their main model, sometimes use a second one of the same provider,
    /// rarely anything else.
    private mutating func pickProfile(agent: Int) -> Profile {
        let known = Self.profiles.count - 1  // the last one is the model the catalog lacks
        let main = (agent * 7919) % known
        let roll = rng.next() % 1000
        if roll < 900 { return Self.profiles[main] }
        if roll < 998 {
            for step in 1..<known {
                let other = Self.profiles[(main + step) % known]
                if other.provider == Self.profiles[main].provider { return other }
            }
            return Self.profiles[main]
        }
        var pick = Int(rng.next() % UInt64(totalWeight))
        for p in Self.profiles {
            if pick < p.weight { return p }
            pick -= p.weight
        }
        return Self.profiles[0]
    }

    /// An agent's typical prompt and answer size (tokens), fixed per agent.
    static func habits(agent: Int) -> (input: Int, output: Int) {
        var r = SplitMix64(seed: UInt64(agent) &* 0xD6E8_FEB8_6659_FD93 &+ 17)
        return (r.logUniform(600, 9_000), r.logUniform(80, 900))
    }
}

/// A small, fast, seedable generator (not for secrets).
struct SplitMix64: Sendable {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func chance(percent: UInt64) -> Bool { next() % 100 < percent }

    /// Integers spread evenly on a log scale between low and high.
    mutating func logUniform(_ low: Int, _ high: Int) -> Int {
        var value = low
        let steps = Int(next() % 1000)
        // multiply by (high/low)^(steps/1000) using integer steps of ~1 %
        let ratio = Double(high) / Double(low)
        let factor = pow(ratio, Double(steps) / 1000)
        value = Int(Double(low) * factor)
        return min(max(value, low), high)
    }
}
