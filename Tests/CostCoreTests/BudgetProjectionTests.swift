import CostCore
import Testing

@Suite("Budget projection: run rate to the end of the period")
struct BudgetProjectionTests {
    typealias F = BudgetFixture

    func utcDay() throws -> BudgetPeriod {
        try BudgetPeriod(kind: .day, timeZone: .utc, containing: F.at("2026-11-27T12:00:00Z"))
    }

    @Test("$12 spent in the first 6 hours of a day projects $48 at its end")
    func exactProjection() throws {
        let projection = try #require(SpendProjection(spend: F.usd("12"), period: utcDay(), now: F.at("2026-11-27T06:00:00Z")))
        #expect(projection.projectedSpend == (try F.usd("48")))
        #expect(projection.projectedToExceed(limit: try F.usd("40")))
        #expect(!projection.projectedToExceed(limit: try F.usd("48")))  // reaching is not exceeding
        #expect(!projection.projectedToExceed(limit: try F.usd("50")))
        // 40 at 2 $/h from midnight: 20:00.
        #expect(projection.limitReachedAt(limit: try F.usd("40")) == (try F.at("2026-11-27T20:00:00Z")))
        #expect(projection.limitReachedAt(limit: try F.usd("48")) == nil)  // only at the end itself
        #expect(projection.limitReachedAt(limit: try F.usd("50")) == nil)
    }

    @Test("projections round down to the nanodollar and reach-times up to the microsecond")
    func rounding() throws {
        let day = try utcDay()
        // 1 nanodollar in 7 hours: 24/7 = 3.43 → 3.
        let tiny = try #require(SpendProjection(spend: Nanodollars(1), period: day, now: F.at("2026-11-27T07:00:00Z")))
        #expect(tiny.projectedSpend == Nanodollars(3))
        // 7 nanodollars in 2 hours; 10 are reached after 2 h × 10 / 7 = 10 285 714 285.7 µs → …286.
        let seven = try #require(SpendProjection(spend: Nanodollars(7), period: day, now: F.at("2026-11-27T02:00:00Z")))
        #expect(seven.projectedSpend == Nanodollars(84))
        #expect(seven.limitReachedAt(limit: Nanodollars(10)) == day.start.adding(microseconds: 10_285_714_286))
    }

    @Test("too early in the period there is no projection: 5 % of a day is 72 minutes")
    func notEnoughData() throws {
        let day = try utcDay()
        #expect(SpendProjection.minimumElapsed(periodStart: day.start, periodEnd: day.end) == 72 * 60 * 1_000_000)
        #expect(SpendProjection(spend: try F.usd("5"), period: day, now: try F.at("2026-11-27T01:00:00Z")) == nil)
        #expect(SpendProjection(spend: try F.usd("5"), period: day, now: try F.at("2026-11-27T01:11:59.999999Z")) == nil)
        let first = try #require(SpendProjection(spend: try F.usd("5"), period: day, now: try F.at("2026-11-27T01:12:00Z")))
        #expect(first.projectedSpend == (try F.usd("100")))  // 5 × 1440 / 72
        // now before the period start: nothing to project from.
        #expect(SpendProjection(spend: try F.usd("5"), period: day, now: try F.at("2026-11-26T23:00:00Z")) == nil)
    }

    @Test("the minimum is 10 minutes for short periods and 5 % for months")
    func minimumElapsed() throws {
        let start = try F.at("2026-11-27T00:00:00Z")
        #expect(SpendProjection.minimumElapsed(periodStart: start, periodEnd: start.adding(seconds: 3600)) == 600_000_000)
        let month = try BudgetPeriod(kind: .month, timeZone: .utc, containing: start)
        #expect(SpendProjection.minimumElapsed(periodStart: month.start, periodEnd: month.end) == 36 * 3_600_000_000)
    }

    @Test("after the period ends the projection is the spend itself")
    func afterEnd() throws {
        let projection = try #require(SpendProjection(spend: try F.usd("30"), period: utcDay(), now: try F.at("2026-11-29T00:00:00Z")))
        #expect(projection.projectedSpend == (try F.usd("30")))
        #expect(projection.now == (try utcDay()).end)
        #expect(!projection.projectedToExceed(limit: try F.usd("40")))
    }

    @Test("spend already over the limit is not a projection alert; its reach time is in the past")
    func alreadyOver() throws {
        let projection = try #require(SpendProjection(spend: try F.usd("60"), period: utcDay(), now: try F.at("2026-11-27T12:00:00Z")))
        #expect(projection.projectedSpend == (try F.usd("120")))
        #expect(!projection.projectedToExceed(limit: try F.usd("50")))
        #expect(projection.limitReachedAt(limit: try F.usd("50")) == (try F.at("2026-11-27T10:00:00Z")))
    }

    @Test("zero spend never reaches a limit")
    func zeroSpend() throws {
        let projection = try #require(SpendProjection(spend: .zero, period: utcDay(), now: try F.at("2026-11-27T12:00:00Z")))
        #expect(projection.projectedSpend == .zero)
        #expect(!projection.projectedToExceed(limit: Nanodollars(1)))
        #expect(projection.limitReachedAt(limit: Nanodollars(1)) == nil)
    }

    @Test("a 23-hour DST day projects over its real length")
    func dstDay() throws {
        let day = try BudgetPeriod(kind: .day, timeZoneIdentifier: "America/New_York", containing: F.at("2026-03-08T12:00:00Z"))
        // 23 $ spent in the first 2 hours of a 23-hour day → 264.5 $.
        let projection = try #require(SpendProjection(spend: try F.usd("23"), period: day, now: day.start.adding(seconds: 7200)))
        #expect(projection.projectedSpend == (try F.usd("264.5")))
    }
}
