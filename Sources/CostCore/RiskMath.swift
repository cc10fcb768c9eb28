#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The few math functions risk scoring needs, from the C library (no Foundation in the hot path).
/// Statistics only: money never goes through a `Double` that is stored as a total.
enum RiskMath {
    @inline(__always) static func ln(_ value: Double) -> Double { log(value) }
    @inline(__always) static func exponential(_ value: Double) -> Double { exp(value) }
    /// What is left of a value halving every `halfLife` after `elapsed` (same unit).
    @inline(__always) static func halving(_ elapsed: Double, halfLife: Double) -> Double { exp(-0.6931 * elapsed / halfLife) }
    @inline(__always) static func squareRoot(_ value: Double) -> Double { sqrt(value) }
    @inline(__always) static func cosine(_ value: Double) -> Double { cos(value) }

    /// `value` limited to 0…1 (NaN → 0).
    @inline(__always) static func unit(_ value: Double) -> Double {
        value > 0 ? (value < 1 ? value : 1) : 0
    }

    /// 0 at or below `low`, 1 at or above `high`, linear between.
    @inline(__always) static func ramp(_ value: Double, from low: Double, to high: Double) -> Double {
        unit((value - low) / (high - low))
    }

    /// 0 at or below ratio `low`, 1 at or above ratio `high`, linear in log(ratio) between.
    @inline(__always) static func logRamp(_ ratio: Double, from low: Double, to high: Double) -> Double {
        guard ratio > low else { return 0 }
        return unit(log(ratio / low) / log(high / low))
    }

    /// Nanodollars as a Double, for ratios only.
    @inline(__always) static func double(_ amount: Nanodollars) -> Double { Double(amount.value) }
}
