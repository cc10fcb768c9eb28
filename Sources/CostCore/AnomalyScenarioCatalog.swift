/// The models and list prices (USD per million tokens, as published in 2025) that scenarios use.
public enum AnomalyScenarioCatalog {
    public enum Tier: Sendable { case cheap, mid, expensive }

    public struct Model: Sendable, Equatable {
        public var provider: String
        public var name: String
        public var tier: Tier
        /// Input / output / cache-read price in picodollars per token.
        public var input: Int64
        public var output: Int64
        public var cacheRead: Int64?
        public var reasons: Bool
    }

    private static func model(_ provider: String, _ name: String, _ tier: Tier, _ input: Int64, _ output: Int64,
                              _ cacheRead: Int64?, reasons: Bool = false) -> Model {
        Model(provider: provider, name: name, tier: tier, input: input, output: output, cacheRead: cacheRead, reasons: reasons)
    }

    public static let models: [Model] = [
        model("openai", "gpt-4o-mini", .cheap, 150_000, 600_000, 75_000),
        model("openai", "gpt-4.1-mini", .cheap, 400_000, 1_600_000, 100_000),
        model("openai", "gpt-4.1-nano", .cheap, 100_000, 400_000, 25_000),
        model("openai", "gpt-5-mini", .cheap, 250_000, 2_000_000, 25_000, reasons: true),
        model("anthropic", "claude-haiku-4-5", .cheap, 1_000_000, 5_000_000, 100_000),
        model("google", "gemini-2.0-flash", .cheap, 100_000, 400_000, 25_000),
        model("google", "gemini-2.5-flash", .cheap, 300_000, 2_500_000, 30_000),
        model("mistral", "mistral-small-latest", .cheap, 100_000, 300_000, nil),
        model("deepseek", "deepseek-chat", .cheap, 280_000, 420_000, 28_000),
        model("openai", "gpt-4.1", .mid, 2_000_000, 8_000_000, 500_000),
        model("openai", "gpt-4o", .mid, 2_500_000, 10_000_000, 1_250_000),
        model("openai", "gpt-5", .mid, 1_250_000, 10_000_000, 125_000, reasons: true),
        model("openai", "o4-mini", .mid, 1_100_000, 4_400_000, 275_000, reasons: true),
        model("anthropic", "claude-sonnet-4-5", .mid, 3_000_000, 15_000_000, 300_000),
        model("google", "gemini-2.5-pro", .mid, 1_250_000, 10_000_000, 125_000),
        model("mistral", "mistral-large-latest", .mid, 2_000_000, 6_000_000, nil),
        model("deepseek", "deepseek-reasoner", .mid, 280_000, 420_000, 28_000, reasons: true),
        model("openai", "o1", .expensive, 15_000_000, 60_000_000, 7_500_000, reasons: true),
        model("anthropic", "claude-opus-4-1", .expensive, 15_000_000, 75_000_000, 1_500_000),
        model("anthropic", "claude-3-opus-latest", .expensive, 15_000_000, 75_000_000, 1_500_000),
    ]

    /// Same-provider upgrades an operator might roll out (cost per call × ~1.5–6).
    public static let upgrades: [String: [String]] = [
        "gpt-4o-mini": ["gpt-4.1-mini", "gpt-5-mini"], "gpt-4.1-nano": ["gpt-4.1-mini", "gpt-4o-mini"],
        "gpt-4.1-mini": ["gpt-5-mini", "o4-mini"], "gpt-5-mini": ["o4-mini", "gpt-4.1-mini"],
        "gemini-2.0-flash": ["gemini-2.5-flash"], "gemini-2.5-flash": ["gemini-2.0-flash"],
        "claude-haiku-4-5": ["claude-sonnet-4-5"], "mistral-small-latest": ["deepseek-chat"],
        "deepseek-chat": ["deepseek-reasoner"], "gpt-4.1": ["gpt-5", "gpt-4o"], "gpt-4o": ["gpt-4.1", "gpt-5"],
        "gpt-5": ["gpt-4.1"], "claude-sonnet-4-5": ["claude-haiku-4-5"], "gemini-2.5-pro": ["gemini-2.5-flash"],
        "o4-mini": ["gpt-5"], "mistral-large-latest": ["mistral-small-latest"], "deepseek-reasoner": ["deepseek-chat"],
    ]

    public static func named(_ name: String) -> Model? { models.first { $0.name == name } }

    /// A catalog with these prices in force from 2024-01-01.
    public static func catalog() -> PricingCatalog {
        let from = Timestamp(secondsSinceEpoch: 1_704_067_200)
        return PricingCatalog(prices: models.map { model in
            ModelPrice(
                provider: model.provider, model: model.name, effectiveFrom: from,
                input: TokenPrice(picodollarsPerToken: model.input), output: TokenPrice(picodollarsPerToken: model.output),
                cacheRead: model.cacheRead.map { TokenPrice(picodollarsPerToken: $0) })
        })
    }
}
