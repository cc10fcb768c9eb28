import CostCore
import Testing

@Suite("Budget tiers and breaker: crossings fire exactly once")
struct BudgetThresholdTests {
    typealias F = BudgetFixture

    /// Runs increments through a counter, as the worker does, and records what fired.
    struct Counter {
        var total = Nanodollars.zero
        let thresholds: SpendThresholds
        var fired: [[Int]] = []
        var trips: [Bool] = []

        mutating func add(_ amount: Nanodollars) {
            let previous = total
            total += amount
            let crossing = thresholds.evaluate(previous: previous, current: total)
            fired.append(crossing.tiers)
            trips.append(crossing.breakerTripped)
        }
    }

    @Test("a sequence of increments fires every tier exactly once, at the right increment")
    func sequence() throws {
        var counter = Counter(thresholds: SpendThresholds(
            limit: try F.usd("100"), tiers: [50, 75, 85, 95], breakerPercent: 90))
        try counter.add(F.usd("10"))            // 10
        try counter.add(F.usd("39.999999999"))  // 49.999999999: one nanodollar short of 50 %
        try counter.add(F.usd("0.000000001"))   // exactly 50 %: fires 50
        try counter.add(F.usd("0"))             // still exactly at 50 %: nothing
        try counter.add(F.usd("1"))             // from exactly at 50 %: nothing
        try counter.add(F.usd("45"))            // 51 → 96: jumps over 75, 85 and 95
        try counter.add(F.usd("104"))           // 200: nothing left to fire
        #expect(counter.fired == [[], [], [50], [], [], [75, 85, 95], []])
        #expect(counter.trips == [false, false, false, false, false, true, false])
        #expect(counter.fired.flatMap { $0 } == [50, 75, 85, 95])
        #expect(counter.total == (try F.usd("200")))
    }

    @Test("an increment landing exactly on a tier fires it; the next one from there does not")
    func exactTier() throws {
        let limit = try F.usd("3")  // 75 % = 2.25
        #expect(try SpendThresholds.crossed(previous: F.usd("2"), current: F.usd("2.25"), limit: limit, tiers: [50, 75]) == [75])
        #expect(try SpendThresholds.crossed(previous: F.usd("2.25"), current: F.usd("2.5"), limit: limit, tiers: [50, 75]).isEmpty)
        #expect(try SpendThresholds.crossed(previous: F.usd("2"), current: F.usd("2.249999999"), limit: limit, tiers: [50, 75]).isEmpty)
        // A third of a cent limit: 50 % is 1.5 nanodollars, so 2 reaches it and 1 does not.
        let odd = Nanodollars(3)
        #expect(SpendThresholds.crossed(previous: Nanodollars(1), current: Nanodollars(2), limit: odd, tiers: [50]) == [50])
        #expect(SpendThresholds.crossed(previous: .zero, current: Nanodollars(1), limit: odd, tiers: [50]).isEmpty)
    }

    @Test("spend that does not grow crosses nothing")
    func noGrowth() throws {
        let limit = try F.usd("10")
        #expect(try SpendThresholds.crossed(previous: F.usd("9"), current: F.usd("9"), limit: limit, tiers: [50, 95]).isEmpty)
        #expect(try SpendThresholds.crossed(previous: F.usd("9"), current: F.usd("1"), limit: limit, tiers: [50, 95]).isEmpty)
        #expect(SpendThresholds(limit: limit, tiers: [50], breakerPercent: 90).evaluate(previous: .zero, current: .zero) == .empty)
    }

    @Test("the breaker trips on crossing its threshold, not while staying above it")
    func breaker() throws {
        let limit = try F.usd("100")
        #expect(try SpendThresholds.breakerTripped(previous: F.usd("89.999999999"), current: F.usd("90"), limit: limit, percent: 90))
        #expect(try !SpendThresholds.breakerTripped(previous: F.usd("90"), current: F.usd("95"), limit: limit, percent: 90))
        #expect(try !SpendThresholds.breakerTripped(previous: F.usd("10"), current: F.usd("89.999999999"), limit: limit, percent: 90))
        #expect(try SpendThresholds.breakerTripped(previous: .zero, current: F.usd("250"), limit: limit, percent: 90))
        #expect(try SpendThresholds.hasReached(spend: F.usd("90"), limit: limit, percent: 90))
        #expect(try !SpendThresholds.hasReached(spend: F.usd("89.999999999"), limit: limit, percent: 90))
    }

    @Test("threshold math is exact at the extremes of Int64")
    func noOverflow() {
        let huge = Nanodollars.max
        #expect(SpendThresholds.hasReached(spend: huge, limit: huge, percent: 100))
        #expect(!SpendThresholds.hasReached(spend: Nanodollars(Int64.max - 1), limit: huge, percent: 100))
        #expect(SpendThresholds.crossed(previous: .zero, current: huge, limit: huge, tiers: [50, 100]) == [50, 100])
        #expect(SpendThresholds.utilizationBasisPoints(spend: huge, limit: Nanodollars(1)) == Int.max)
    }

    @Test("utilization in basis points, rounded down", arguments: [
        (Int64(33_333_333_333), Int64(100_000_000_000), 3333),
        (0, 100_000_000_000, 0),
        (100_000_000_000, 100_000_000_000, 10_000),
        (150_000_000_000, 100_000_000_000, 15_000),
        (99_999_999_999, 100_000_000_000, 9999),
        (-1, 3, -3334),
        (5, 0, 0),
    ])
    func utilization(_ spend: Int64, _ limit: Int64, _ expected: Int) {
        #expect(SpendThresholds.utilizationBasisPoints(spend: Nanodollars(spend), limit: Nanodollars(limit)) == expected)
    }
}
