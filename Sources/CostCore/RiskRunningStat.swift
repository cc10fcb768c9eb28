/// A robust running statistic of one quantity (usually a logarithm): an exponentially weighted
/// mean and mean absolute deviation. Early samples are averaged equally (the step is
/// `max(alpha, 1/count)`), later ones weigh `alpha`. A sample more than 3 σ from the mean is
/// clipped to 3 σ before it is learned (and widens the deviation by at most 2 σ), so one
/// outlier, or a run of them, moves it little.
public struct RiskRunningStat: Sendable, Equatable {
    public internal(set) var mean: Double
    /// Mean absolute deviation from `mean`.
    public internal(set) var deviation: Double
    /// Samples learned (fractional: quarantined samples count less), capped at 1e9.
    public internal(set) var count: Double

    public init(mean: Double = 0, deviation: Double = 0, count: Double = 0) {
        self.mean = mean
        self.deviation = deviation
        self.count = count
    }

    /// σ estimated from the mean absolute deviation (×1.2533 for a normal distribution),
    /// never below `minimum`.
    @inline(__always) func sigma(minimum: Double) -> Double {
        max(1.2533 * deviation, minimum)
    }

    /// How many σ `value` lies above the mean.
    @inline(__always) func z(_ value: Double, minimumSigma: Double) -> Double {
        (value - mean) / sigma(minimum: minimumSigma)
    }

    /// Learns `value` with `weight` (1 normally; less for a suspicious event). The first
    /// sample sets the mean, and the deviation starts at `initialDeviation` (a wide prior).
    mutating func add(_ value: Double, alpha: Double, weight: Double = 1, initialDeviation: Double) {
        guard value.isFinite, weight > 0 else { return }
        if count <= 0 {
            mean = value
            deviation = initialDeviation
            count = weight
            return
        }
        count = min(count + weight, 1e9)
        let step = min(1, weight * max(alpha, 1 / count))
        let limit = 3 * max(1.2533 * deviation, 1e-9)
        let clipped = min(max(value, mean - limit), mean + limit)
        // The deviation learns at most 2 σ per sample, so a run of outliers widens it slowly.
        let distance = min(abs(clipped - mean), 2 * max(1.2533 * deviation, 1e-9))
        mean += step * (clipped - mean)
        deviation += step * (distance - deviation)
    }
}
