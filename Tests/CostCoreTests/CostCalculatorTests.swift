import CostCore
import Testing

@Suite("Cost formula and pricing decisions")
struct CostCalculatorTests {
    static let t0 = Timestamp.parseRFC3339("2025-01-01T00:00:00Z")!

    static func pico(_ value: Int64) -> TokenPrice { TokenPrice(picodollarsPerToken: value) }

    static let full = ModelPrice(
        provider: "anthropic", model: "claude-sonnet-4-5", effectiveFrom: t0,
        input: try! .perMillionUSD("3.00"), output: try! .perMillionUSD("15.00"),
        cacheRead: try! .perMillionUSD("0.30"), cacheWrite: try! .perMillionUSD("3.75"),
        reasoning: try! .perMillionUSD("20.00"))

    @Test("every component is priced at its own rate")
    func allComponents() {
        // 10_000 input (6_000 read, 1_000 write, 3_000 plain), 2_000 output (500 reasoning, 1_500 plain)
        let cost = CostCalculator.cost(inputTokens: 10_000, outputTokens: 2_000, cacheReadTokens: 6_000,
                                       cacheWriteTokens: 1_000, reasoningTokens: 500, price: Self.full)
        // 3000×3 + 6000×0.3 + 1000×3.75 + 1500×15 + 500×20 = 9000+1800+3750+22500+10000 µ$ = 0.04705 $
        #expect(cost == Nanodollars(47_050_000))
    }

    @Test("components without a price fall back to the input and output price")
    func fallbackToInputOutput() {
        let plain = ModelPrice(provider: "mistral", model: "m", effectiveFrom: Self.t0,
                               input: Self.pico(2_000_000), output: Self.pico(6_000_000))
        let withParts = CostCalculator.cost(inputTokens: 1_000, outputTokens: 100, cacheReadTokens: 400,
                                            cacheWriteTokens: 100, reasoningTokens: 60, price: plain)
        let withoutParts = CostCalculator.cost(inputTokens: 1_000, outputTokens: 100, cacheReadTokens: 0,
                                               cacheWriteTokens: 0, reasoningTokens: 0, price: plain)
        #expect(withParts == withoutParts)
        #expect(withParts == Nanodollars(2_600_000))
    }

    @Test("rounding to the nanodollar is half-to-even", arguments: [
        (Int64(500), Int64(0)), (1_500, 2), (2_500, 2), (3_500, 4), (501, 1), (1_499, 1),
    ])
    func halfToEven(_ tokens: Int64, _ nanodollars: Int64) {
        // 1 picodollar per token: `tokens` picodollars = tokens / 1000 nanodollars.
        let price = ModelPrice(provider: "p", model: "m", effectiveFrom: Self.t0, input: Self.pico(1), output: Self.pico(1))
        let cost = CostCalculator.cost(inputTokens: tokens, outputTokens: 0, cacheReadTokens: 0,
                                       cacheWriteTokens: 0, reasoningTokens: 0, price: price)
        #expect(cost == Nanodollars(nanodollars))
    }

    @Test("extreme counts and prices neither trap nor go negative")
    func extremes() {
        let expensive = ModelPrice(provider: "p", model: "m", effectiveFrom: Self.t0,
                                   input: Self.pico(.max), output: Self.pico(.max))
        #expect(CostCalculator.cost(inputTokens: 100_000_000, outputTokens: 100_000_000, cacheReadTokens: 0,
                                    cacheWriteTokens: 0, reasoningTokens: 0, price: expensive) == .max)
        let cost = CostCalculator.cost(inputTokens: 10, outputTokens: 0, cacheReadTokens: 50,
                                       cacheWriteTokens: 0, reasoningTokens: 0, price: Self.full)
        #expect(cost == Nanodollars(15_000))  // 50 cache reads at 0.30/M; no negative plain part
    }

    static func event(model: String, reported: String? = nil, at time: Timestamp = t0,
                      provider: String = "anthropic") -> UsageEvent {
        UsageEvent(eventID: "e", occurredAt: time, sessionID: "s", agentID: "a", provider: provider, model: model,
                   inputTokens: 1_000_000, outputTokens: 100_000,
                   reportedCost: reported.map { try! Nanodollars.parseUSD($0) })
    }

    static let catalog = PricingCatalog(prices: [full])  // catalog cost of `event`: 3 + 1.5 = $4.50

    @Test("a known model costs the catalog price; a cheaper report does not count")
    func catalogWins() {
        let result = CostCalculator.price(Self.event(model: "claude-sonnet-4-5", reported: "0.01"), catalog: Self.catalog)
        #expect(result == CostBreakdown(cost: Nanodollars(4_500_000_000), source: .catalog,
                                        catalogCost: Nanodollars(4_500_000_000), unpriced: false, costMismatch: true))
    }

    @Test("cost_mismatch above 1 % only", arguments: [
        ("4.545", false), ("4.455", false), ("4.545000001", true), ("4.454999999", true), ("4.50", false),
    ])
    func mismatchThreshold(_ reported: String, _ mismatch: Bool) {
        let result = CostCalculator.price(Self.event(model: "claude-sonnet-4-5", reported: reported), catalog: Self.catalog)
        #expect(result.source == .catalog)
        #expect(result.costMismatch == mismatch)
    }

    @Test("a catalog cost of 0 mismatches any positive report")
    func zeroCatalog() {
        let free = ModelPrice(provider: "google", model: "free", effectiveFrom: Self.t0, input: .zero, output: .zero)
        let catalog = PricingCatalog(prices: [free])
        #expect(CostCalculator.price(Self.event(model: "free", reported: "0.000000001", provider: "google"), catalog: catalog).costMismatch)
        #expect(!CostCalculator.price(Self.event(model: "free", reported: "0", provider: "google"), catalog: catalog).costMismatch)
    }

    @Test("an unknown model uses the reported cost, marked unpriced")
    func unknownReported() {
        let result = CostCalculator.price(Self.event(model: "claude-next", reported: "0.75"), catalog: Self.catalog)
        #expect(result == CostBreakdown(cost: Nanodollars(750_000_000), source: .reported, catalogCost: nil,
                                        unpriced: true, costMismatch: false))
    }

    @Test("an unknown model without a usable report costs the provider's most expensive prices, never $0")
    func unknownFallback() {
        let cheap = ModelPrice(provider: "anthropic", model: "small", effectiveFrom: Self.t0,
                               input: Self.pico(1_000_000), output: Self.pico(50_000_000))
        let catalog = PricingCatalog(prices: [Self.full, cheap])
        for reported in [nil, "0"] as [String?] {
            let result = CostCalculator.price(Self.event(model: "claude-next", reported: reported), catalog: catalog)
            #expect(result.source == .fallback && result.unpriced)
            // max input 3.00/M, max output 50.00/M: 3 + 5 = $8
            #expect(result.cost == Nanodollars(8_000_000_000))
        }
    }

    @Test("an empty catalog still prices unknown models at the built-in $100/$400 per million")
    func emptyCatalog() {
        let result = CostCalculator.price(Self.event(model: "anything"), catalog: PricingCatalog(prices: []))
        #expect(result.source == .fallback)
        #expect(result.cost == Nanodollars(140_000_000_000))  // 1M × $100/M + 0.1M × $400/M
    }
}
