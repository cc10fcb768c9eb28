/// Model prices with history: several entries per (provider, model) with different
/// `effectiveFrom` dates. Immutable once built; lookups are pure.
public struct PricingCatalog: Sendable {
    /// Entries of one (provider, model), sorted by `effectiveFrom` ascending.
    private var histories: [ModelKey: [ModelPrice]] = [:]
    /// Lowercased key → exact keys, for the case-insensitive second lookup.
    private var folded: [ModelKey: [ModelKey]] = [:]
    private var providers: [String: [ModelKey]] = [:]

    private struct ModelKey: Hashable, Sendable {
        var provider: String
        var model: String
    }

    /// Any order. Several effective dates per model form its history; for two entries with
    /// the same (provider, model, effectiveFrom) the later one in `prices` wins.
    public init(prices: [ModelPrice]) {
        for price in prices {
            let key = ModelKey(provider: price.provider, model: price.model)
            var history = histories[key] ?? []
            if let same = history.firstIndex(where: { $0.effectiveFrom == price.effectiveFrom }) {
                history[same] = price
            } else {
                history.append(price)
            }
            if histories[key] == nil {
                folded[ModelKey(provider: price.provider, model: price.model.lowercased()), default: []].append(key)
                providers[price.provider, default: []].append(key)
            }
            histories[key] = history
        }
        for key in histories.keys {
            histories[key]!.sort { $0.effectiveFrom < $1.effectiveFrom }
        }
    }

    /// Every entry, sorted by provider, model, then effective date.
    public var entries: [ModelPrice] {
        histories.keys
            .sorted { ($0.provider, $0.model) < ($1.provider, $1.model) }
            .flatMap { histories[$0]! }
    }

    public var isEmpty: Bool { histories.isEmpty }

    /// True when the catalog lists (provider, model) at any date (exact, then case-insensitive).
    public func knows(provider: String, model: String) -> Bool {
        !resolve(provider: provider, model: model).isEmpty
    }

    /// The price in force at `time`: the entry with the greatest effectiveFrom ≤ time. Model
    /// lookup is exact first, then case-insensitive. Nil when unknown or not yet effective.
    public func price(provider: String, model: String, at time: Timestamp) -> ModelPrice? {
        for key in resolve(provider: provider, model: model) {
            if let price = Self.inForce(histories[key]!, at: time) { return price }
        }
        return nil
    }

    /// Conservative fallback: per component the maximum over the provider's models in force at
    /// `time` (a component a model lacks counts at the input or output price it would be
    /// charged at). If the provider has none in force, the maximum over the whole catalog in
    /// force at `time`; if nothing is in force yet, over every entry. Nil only when empty.
    public func fallbackPrice(provider: String, at time: Timestamp) -> ModelPrice? {
        var candidates = (providers[provider] ?? []).compactMap { Self.inForce(histories[$0]!, at: time) }
        if candidates.isEmpty {
            candidates = histories.values.compactMap { Self.inForce($0, at: time) }
        }
        if candidates.isEmpty {
            candidates = histories.values.flatMap { $0 }
        }
        guard let first = candidates.first else { return nil }
        var result = ModelPrice(
            provider: provider, model: "*", effectiveFrom: first.effectiveFrom,
            input: first.input, output: first.output,
            cacheRead: first.effectiveCacheRead, cacheWrite: first.effectiveCacheWrite,
            reasoning: first.effectiveReasoning)
        for price in candidates.dropFirst() {
            result.effectiveFrom = max(result.effectiveFrom, price.effectiveFrom)
            result.input = max(result.input, price.input)
            result.output = max(result.output, price.output)
            result.cacheRead = max(result.cacheRead!, price.effectiveCacheRead)
            result.cacheWrite = max(result.cacheWrite!, price.effectiveCacheWrite)
            result.reasoning = max(result.reasoning!, price.effectiveReasoning)
        }
        return result
    }

    private func resolve(provider: String, model: String) -> [ModelKey] {
        let exact = ModelKey(provider: provider, model: model)
        if histories[exact] != nil { return [exact] }
        return folded[ModelKey(provider: provider, model: model.lowercased())] ?? []
    }

    private static func inForce(_ history: [ModelPrice], at time: Timestamp) -> ModelPrice? {
        history.last { $0.effectiveFrom <= time }
    }
}
