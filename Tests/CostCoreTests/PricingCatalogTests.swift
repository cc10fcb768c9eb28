import CostCore
import Testing

@Suite("Pricing catalog with history")
struct PricingCatalogTests {
    static let june = Timestamp.parseRFC3339("2025-06-10T00:00:00Z")!
    static let april = Timestamp.parseRFC3339("2025-04-16T00:00:00Z")!

    static func price(_ model: String, _ from: Timestamp, _ input: Int64, _ output: Int64,
                      provider: String = "openai", cacheRead: Int64? = nil) -> ModelPrice {
        ModelPrice(provider: provider, model: model, effectiveFrom: from,
                   input: TokenPrice(picodollarsPerToken: input), output: TokenPrice(picodollarsPerToken: output),
                   cacheRead: cacheRead.map { TokenPrice(picodollarsPerToken: $0) })
    }

    static let catalog = PricingCatalog(prices: [
        price("o3", june, 2_000_000, 8_000_000),
        price("o3", april, 10_000_000, 40_000_000),
        price("gpt-4o", april, 2_500_000, 10_000_000, cacheRead: 1_250_000),
        price("claude-opus-4-1", april, 15_000_000, 75_000_000, provider: "anthropic"),
    ])

    @Test("the price in force switches exactly at effectiveFrom")
    func historyBoundary() throws {
        let before = try #require(Self.catalog.price(provider: "openai", model: "o3", at: Self.june.adding(microseconds: -1)))
        #expect(before.input.picodollarsPerToken == 10_000_000)
        let at = try #require(Self.catalog.price(provider: "openai", model: "o3", at: Self.june))
        #expect(at.input.picodollarsPerToken == 2_000_000)
        #expect(Self.catalog.price(provider: "openai", model: "o3", at: Self.april.adding(microseconds: -1)) == nil)
    }

    @Test("model lookup is exact, then case-insensitive; provider must match")
    func lookup() {
        #expect(Self.catalog.price(provider: "openai", model: "GPT-4o", at: Self.june)?.model == "gpt-4o")
        #expect(Self.catalog.price(provider: "azure", model: "gpt-4o", at: Self.june) == nil)
        #expect(Self.catalog.price(provider: "openai", model: "gpt-4o-mini", at: Self.june) == nil)
    }

    @Test("fallback takes the provider's maximum per component, else the whole catalog's")
    func fallback() throws {
        let openai = try #require(Self.catalog.fallbackPrice(provider: "openai", at: Self.june))
        #expect(openai.input.picodollarsPerToken == 2_500_000)
        #expect(openai.output.picodollarsPerToken == 10_000_000)
        // o3 has no cache-read price and is charged its input price (2.00) for it; gpt-4o 1.25.
        #expect(openai.cacheRead?.picodollarsPerToken == 2_000_000)
        let unknownProvider = try #require(Self.catalog.fallbackPrice(provider: "xai", at: Self.june))
        #expect(unknownProvider.input.picodollarsPerToken == 15_000_000)
        #expect(unknownProvider.output.picodollarsPerToken == 75_000_000)
        // Before anything is in force, every entry counts.
        let early = try #require(Self.catalog.fallbackPrice(provider: "openai", at: Timestamp(secondsSinceEpoch: 0)))
        #expect(early.output.picodollarsPerToken == 75_000_000)
        #expect(PricingCatalog(prices: []).fallbackPrice(provider: "openai", at: Self.june) == nil)
    }

    @Test("entries lists every price, sorted, history included")
    func entries() {
        #expect(Self.catalog.entries.map(\.model) == ["claude-opus-4-1", "gpt-4o", "o3", "o3"])
        #expect(Self.catalog.entries.last?.effectiveFrom == Self.june)
    }
}
