import CostCore
import Foundation
import Testing

@Suite("Pricing files")
struct PricingFileTests {
    static var catalogURL: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("ops/pricing/catalog.json")
    }

    @Test("ops/pricing/catalog.json loads: ≥ 30 models from all five providers, with history")
    func shippedCatalog() throws {
        let bytes = try [UInt8](Data(contentsOf: Self.catalogURL))
        let prices = try PricingFile.parseCatalog(bytes)
        let models = Set(prices.map { "\($0.provider)/\($0.model)" })
        #expect(models.count >= 30)
        #expect(Set(prices.map(\.provider)).isSuperset(of: ["openai", "anthropic", "google", "mistral", "deepseek"]))
        #expect(prices.count > models.count, "some models have price history")
        let catalog = PricingCatalog(prices: prices)
        let now = Timestamp.parseRFC3339("2026-01-15T00:00:00Z")!
        let gpt4o = try #require(catalog.price(provider: "openai", model: "gpt-4o", at: now))
        #expect(gpt4o.input.perMillionUSDString == "2.50" && gpt4o.cacheRead?.perMillionUSDString == "1.25")
        let sonnet = try #require(catalog.price(provider: "anthropic", model: "claude-sonnet-4-5", at: now))
        #expect(sonnet.cacheWrite?.perMillionUSDString == "3.75" && sonnet.cacheRead?.perMillionUSDString == "0.30")
        #expect(catalog.price(provider: "deepseek", model: "deepseek-chat", at: now)?.cacheRead != nil)
        #expect(catalog.price(provider: "google", model: "gemini-2.5-pro", at: now)?.cacheRead != nil)
    }

    @Test("encodeCatalog output parses back to the same prices")
    func encodeRoundTrip() throws {
        let prices = try PricingFile.parseCatalog([UInt8](Data(contentsOf: Self.catalogURL)))
        let encoded = PricingFile.encodeCatalog(prices)
        let again = try PricingFile.parseCatalog(encoded)
        #expect(PricingCatalog(prices: again).entries == PricingCatalog(prices: prices).entries)
        #expect(encoded == PricingFile.encodeCatalog(again))
    }

    @Test("catalog errors name the entry and the field", arguments: [
        (#"{"schema":"cost.pricing.v1","prices":[{"provider":"openai","model":"m","effective_from":"2025-01-01T00:00:00Z","input_per_mtok":"1.0000001","output_per_mtok":"1"}]}"#,
         "prices[0] (openai/m): field input_per_mtok"),
        (#"{"schema":"cost.pricing.v1","prices":[{"provider":"openai","model":"m","effective_from":"2025-01-01","input_per_mtok":"1","output_per_mtok":"1"}]}"#,
         "prices[0] (openai/m): field effective_from"),
        (#"{"schema":"cost.pricing.v1","prices":[{"provider":"Open AI","model":"m"}]}"#, "prices[0]: field provider"),
        (#"{"schema":"cost.pricing.v2","prices":[]}"#, "schema"),
    ])
    func catalogErrors(_ text: String, _ expected: String) {
        do {
            _ = try PricingFile.parseCatalog(Array(text.utf8))
            Issue.record("accepted")
        } catch {
            #expect(error.message.contains(expected), "\(error)")
        }
    }

    static let liteLLM = #"""
    {
        "sample_spec": {
            "max_tokens": "LEGACY parameter. set to max_output_tokens if provider specifies it.",
            "input_cost_per_token": 0.0000,
            "output_cost_per_token": 0.000,
            "litellm_provider": "one of https://docs.litellm.ai/docs/providers",
            "mode": "one of: chat, embedding, completion, image_generation, audio_transcription, audio_speech, image_generation, moderation, rerank",
            "supports_function_calling": true
        },
        "gpt-4o": {
            "max_tokens": 16384,
            "max_input_tokens": 128000,
            "input_cost_per_token": 2.5e-06,
            "output_cost_per_token": 1e-05,
            "cache_read_input_token_cost": 1.25e-06,
            "litellm_provider": "openai",
            "mode": "chat",
            "supports_vision": true
        },
        "claude-3-5-haiku-20241022": {
            "input_cost_per_token": 8e-07,
            "output_cost_per_token": 4e-06,
            "cache_creation_input_token_cost": 1e-06,
            "cache_read_input_token_cost": 8e-08,
            "litellm_provider": "anthropic",
            "mode": "chat"
        },
        "gemini/gemini-2.5-flash-preview-04-17": {
            "input_cost_per_token": 1.5e-07,
            "output_cost_per_token": 6e-07,
            "output_cost_per_reasoning_token": 3.5e-06,
            "litellm_provider": "gemini",
            "mode": "chat"
        },
        "deepseek/deepseek-chat": {
            "input_cost_per_token": 2.7e-07,
            "input_cost_per_token_cache_hit": 7e-08,
            "cache_read_input_token_cost": 7e-08,
            "output_cost_per_token": 1.1e-06,
            "litellm_provider": "deepseek",
            "mode": "chat"
        },
        "codestral/codestral-latest": {
            "input_cost_per_token": 0.0,
            "output_cost_per_token": 0.0,
            "litellm_provider": "codestral",
            "mode": "chat"
        },
        "text-embedding-3-small": {
            "input_cost_per_token": 2e-08,
            "output_cost_per_token": 0.0,
            "litellm_provider": "openai",
            "mode": "embedding"
        },
        "dall-e-3": {
            "litellm_provider": "openai",
            "mode": "image_generation",
            "output_cost_per_image": 0.04
        },
        "together_ai/meta-llama/Llama-3-8b": {
            "input_cost_per_token": 1.234567e-13,
            "output_cost_per_token": 2e-07,
            "litellm_provider": "together_ai",
            "mode": "completion"
        },
        "no-output-price": {
            "input_cost_per_token": 1e-06,
            "litellm_provider": "openai"
        }
    }
    """#

    func mtok(_ text: String) -> TokenPrice { try! TokenPrice.perMillionUSD(text) }

    @Test("a LiteLLM file imports exact prices, maps providers and reports skips")
    func liteLLMImport() throws {
        let from = Timestamp.parseRFC3339("2025-07-01T00:00:00Z")!
        let result = try PricingFile.parseLiteLLM(Array(Self.liteLLM.utf8), effectiveFrom: from)
        let byModel = Dictionary(uniqueKeysWithValues: result.prices.map { ($0.model, $0) })
        #expect(byModel.keys.sorted() == [
            "meta-llama/Llama-3-8b", "claude-3-5-haiku-20241022", "codestral-latest", "deepseek-chat",
            "gemini-2.5-flash-preview-04-17", "gpt-4o",
        ].sorted())
        #expect(byModel["gpt-4o"] == ModelPrice(
            provider: "openai", model: "gpt-4o", effectiveFrom: from,
            input: try .perMillionUSD("2.50"), output: try .perMillionUSD("10"), cacheRead: try .perMillionUSD("1.25")))
        let haiku = try #require(byModel["claude-3-5-haiku-20241022"])
        #expect(haiku.provider == "anthropic")
        #expect(haiku.cacheWrite == mtok("1.00") && haiku.cacheRead == mtok("0.08"))
        let gemini = try #require(byModel["gemini-2.5-flash-preview-04-17"])
        #expect(gemini.provider == "google" && gemini.reasoning == mtok("3.50"))
        #expect(byModel["deepseek-chat"]?.provider == "deepseek")
        #expect(byModel["deepseek-chat"]?.cacheRead == mtok("0.07"))
        #expect(byModel["codestral-latest"]?.provider == "mistral")
        #expect(byModel["meta-llama/Llama-3-8b"]?.provider == "together_ai")
        // 1.234567e-13 USD is 0.1234567 picodollars: rounded to 0 and reported.
        #expect(byModel["meta-llama/Llama-3-8b"]?.input == .zero)
        #expect(result.rounded == ["together_ai/meta-llama/Llama-3-8b"])
        let skipped = Dictionary(uniqueKeysWithValues: result.skipped.map { ($0.model, $0.reason) })
        #expect(Set(skipped.keys) == ["sample_spec", "text-embedding-3-small", "dall-e-3", "no-output-price"])
        #expect(skipped["text-embedding-3-small"]?.contains("embedding") == true)
        #expect(skipped["no-output-price"]?.contains("output_cost_per_token") == true)
    }

    @Test("LiteLLM provider names map to ours")
    func providerMapping() {
        #expect(PricingFile.providerName(litellm: "vertex_ai-language-models") == "google")
        #expect(PricingFile.providerName(litellm: "vertex_ai") == "google")
        #expect(PricingFile.providerName(litellm: "azure") == "azure")
        #expect(PricingFile.providerName(litellm: "Fireworks.AI") == "fireworks-ai")
        #expect(PricingFile.providerName(litellm: String(repeating: "x", count: 40)).count == 32)
    }
}
