/// The prices of one model from one date on. Components without a price of their own
/// (`nil`) are charged at the input price (cache read, cache write) or the output price
/// (reasoning), as the contract's formula says.
public struct ModelPrice: Sendable, Equatable {
    public var provider: String
    public var model: String
    public var effectiveFrom: Timestamp
    public var input: TokenPrice
    public var output: TokenPrice
    public var cacheRead: TokenPrice?
    public var cacheWrite: TokenPrice?
    public var reasoning: TokenPrice?

    public init(
        provider: String,
        model: String,
        effectiveFrom: Timestamp,
        input: TokenPrice,
        output: TokenPrice,
        cacheRead: TokenPrice? = nil,
        cacheWrite: TokenPrice? = nil,
        reasoning: TokenPrice? = nil
    ) {
        self.provider = provider
        self.model = model
        self.effectiveFrom = effectiveFrom
        self.input = input
        self.output = output
        self.cacheRead = cacheRead
        self.cacheWrite = cacheWrite
        self.reasoning = reasoning
    }

    /// The price actually charged per cache-read token.
    public var effectiveCacheRead: TokenPrice { cacheRead ?? input }
    /// The price actually charged per cache-write token.
    public var effectiveCacheWrite: TokenPrice { cacheWrite ?? input }
    /// The price actually charged per reasoning token.
    public var effectiveReasoning: TokenPrice { reasoning ?? output }

    /// Used when the catalog is empty and the model is unknown, so that an unknown model never
    /// costs $0: $100 per million input tokens and $400 per million output tokens (cache and
    /// reasoning tokens at those prices), far above any listed model.
    public static func builtInFallback(provider: String) -> ModelPrice {
        ModelPrice(
            provider: provider, model: "*", effectiveFrom: Timestamp(microsecondsSinceEpoch: 0),
            input: TokenPrice(picodollarsPerToken: 100_000_000),
            output: TokenPrice(picodollarsPerToken: 400_000_000))
    }
}
