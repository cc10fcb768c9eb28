/// A small seeded generator (xoshiro256**, seeded through SplitMix64): the same seed gives the
/// same scenario on every platform.
public struct AnomalyRandom: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var mix = seed
        func next() -> UInt64 {
            mix &+= 0x9E37_79B9_7F4A_7C15
            var value = mix
            value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
            value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
            return value ^ (value >> 31)
        }
        state = (next(), next(), next(), next())
    }

    public mutating func next() -> UInt64 {
        let result = ((state.1 &* 5) << 7 | (state.1 &* 5) >> 57) &* 9
        let shifted = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= shifted
        state.3 = state.3 << 45 | state.3 >> 19
        return result
    }

    /// A derived generator, so that one part of a scenario does not shift another's draws.
    public mutating func split() -> AnomalyRandom { AnomalyRandom(seed: next()) }

    /// Uniform in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    public mutating func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * unit() }

    public mutating func integer(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }

    public mutating func chance(_ probability: Double) -> Bool { unit() < probability }

    /// Standard normal (Box–Muller).
    public mutating func normal() -> Double {
        let first = max(unit(), 1e-300)
        let second = unit()
        return RiskMath.squareRoot(-2 * RiskMath.ln(first)) * RiskMath.cosine(2 * Double.pi * second)
    }

    public mutating func logNormal(median: Double, sigma: Double) -> Double {
        median * RiskMath.exponential(sigma * normal())
    }

    /// Poisson count (inversion for small means, normal approximation above 30).
    public mutating func poisson(_ mean: Double) -> Int {
        guard mean > 0 else { return 0 }
        if mean > 30 { return max(0, Int((mean + RiskMath.squareRoot(mean) * normal()).rounded())) }
        let limit = RiskMath.exponential(-mean)
        var count = 0
        var product = unit()
        while product > limit {
            count += 1
            product *= unit()
        }
        return count
    }

    public mutating func pick<T>(_ items: [T]) -> T { items[integer(0...(items.count - 1))] }

    /// An index drawn with the given (non-negative) weights.
    public mutating func pick(weights: [Double]) -> Int {
        let total = weights.reduce(0, +)
        var target = unit() * total
        for (index, weight) in weights.enumerated() {
            target -= weight
            if target < 0 { return index }
        }
        return weights.count - 1
    }
}
