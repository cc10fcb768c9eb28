/// The contract's cost formula, exact.
public enum CostCalculator {
    /// cost = (input − cache_read − cache_write) × input_price + cache_read × cache_read_price
    ///      + cache_write × cache_write_price + (output − reasoning) × output_price
    ///      + reasoning × reasoning_price,
    /// summed in picodollars (Int128), then rounded half-to-even to the nanodollar.
    /// Missing component prices fall back to the input / output price. Inconsistent counts
    /// (cache above input, reasoning above output) never make a part negative: the plain part
    /// is clamped at 0. Negative counts count as 0. The result saturates at `Nanodollars.max`.
    public static func cost(
        inputTokens: Int64, outputTokens: Int64, cacheReadTokens: Int64, cacheWriteTokens: Int64,
        reasoningTokens: Int64, price: ModelPrice
    ) -> Nanodollars {
        let input = Int128(max(inputTokens, 0))
        let output = Int128(max(outputTokens, 0))
        let cacheRead = Int128(max(cacheReadTokens, 0))
        let cacheWrite = Int128(max(cacheWriteTokens, 0))
        let reasoning = Int128(max(reasoningTokens, 0))
        var picodollars: Int128 = 0
        picodollars += max(input - cacheRead - cacheWrite, 0) * Int128(price.input.picodollarsPerToken)
        picodollars += cacheRead * Int128(price.effectiveCacheRead.picodollarsPerToken)
        picodollars += cacheWrite * Int128(price.effectiveCacheWrite.picodollarsPerToken)
        picodollars += max(output - reasoning, 0) * Int128(price.output.picodollarsPerToken)
        picodollars += reasoning * Int128(price.effectiveReasoning.picodollarsPerToken)
        let nanodollars = roundHalfToEven(picodollars, divisor: 1000)
        guard nanodollars <= Int128(Int64.max) else { return .max }
        guard nanodollars >= Int128(Int64.min) else { return Nanodollars(.min) }
        return Nanodollars(Int64(nanodollars))
    }

    /// The cost of `event` with the price in force at its `occurred_at`:
    /// - catalog knows the model: the catalog's cost (`costMismatch` when the reported cost
    ///   differs by more than 1 % of it; with a catalog cost of 0, any reported cost > 0);
    /// - unknown model with a reported cost > 0: the reported cost, source `.reported`;
    /// - otherwise: the catalog's fallback price for the provider (`fallbackPrice`), or
    ///   `ModelPrice.builtInFallback` when the catalog is empty; source `.fallback`.
    /// A reported cost of exactly 0 for an unknown model is not trusted (an unknown model
    /// never costs $0 when tokens were used): the fallback applies.
    public static func price(_ event: UsageEvent, catalog: PricingCatalog) -> CostBreakdown {
        func cost(with price: ModelPrice) -> Nanodollars {
            Self.cost(
                inputTokens: event.inputTokens, outputTokens: event.outputTokens,
                cacheReadTokens: event.cacheReadTokens, cacheWriteTokens: event.cacheWriteTokens,
                reasoningTokens: event.reasoningTokens, price: price)
        }
        if let price = catalog.price(provider: event.provider, model: event.model, at: event.occurredAt) {
            let catalogCost = cost(with: price)
            let mismatch = event.reportedCost.map { isMismatch(reported: $0, catalog: catalogCost) } ?? false
            return CostBreakdown(cost: catalogCost, source: .catalog, catalogCost: catalogCost,
                                 unpriced: false, costMismatch: mismatch)
        }
        if let reported = event.reportedCost, reported > .zero {
            return CostBreakdown(cost: reported, source: .reported, catalogCost: nil,
                                 unpriced: true, costMismatch: false)
        }
        let fallback = catalog.fallbackPrice(provider: event.provider, at: event.occurredAt)
            ?? ModelPrice.builtInFallback(provider: event.provider)
        return CostBreakdown(cost: cost(with: fallback), source: .fallback, catalogCost: nil,
                             unpriced: true, costMismatch: false)
    }

    /// |reported − catalog| > 1 % of catalog (exact); with catalog 0, any reported > 0.
    public static func isMismatch(reported: Nanodollars, catalog: Nanodollars) -> Bool {
        if catalog.value == 0 { return reported.value != 0 }
        let difference = Int128(reported.value) - Int128(catalog.value)
        return difference.magnitude * 100 > Int128(catalog.value).magnitude
    }

    /// value / divisor rounded half-to-even (divisor > 0).
    static func roundHalfToEven(_ value: Int128, divisor: Int128) -> Int128 {
        var quotient = value / divisor
        var remainder = value % divisor
        if remainder < 0 {  // make the remainder non-negative (floor division)
            quotient -= 1
            remainder += divisor
        }
        let twice = remainder * 2
        if twice > divisor || (twice == divisor && quotient % 2 != 0) {
            quotient += 1
        }
        return quotient
    }
}
