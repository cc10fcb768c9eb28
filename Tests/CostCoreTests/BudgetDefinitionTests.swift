import CostCore
import Testing

@Suite("Budget definitions: validation, defaults, periods and keys")
struct BudgetDefinitionTests {
    typealias F = BudgetFixture

    @Test("defaults: UTC, tiers 50/75/85/95 %, breaker at 90 %")
    func defaults() throws {
        let budget = try BudgetDefinition.validated(id: "daily-global", scope: .global, periodKind: .day, limit: F.usd("250"))
        #expect(budget.id == "daily-global")
        #expect(budget.timeZone.identifier == "UTC")
        #expect(budget.timeZone == .utc)
        #expect(budget.tiers == [50, 75, 85, 95])
        #expect(budget.breakerPercent == 90)
        #expect(budget.limit == (try F.usd("250")))
        #expect(budget.thresholds == SpendThresholds(limit: try F.usd("250"), tiers: [50, 75, 85, 95], breakerPercent: 90))
    }

    @Test("tiers are sorted and de-duplicated; 100 % and 1 % are allowed")
    func tiers() throws {
        let budget = try BudgetDefinition.validated(
            id: "a", scope: .provider("openai"), periodKind: .month, timeZone: "Asia/Kolkata",
            limit: Nanodollars(1), tiers: [100, 1, 50, 50], breakerPercent: 100)
        #expect(budget.tiers == [1, 50, 100])
        #expect(budget.breakerPercent == 100)
        #expect(try BudgetDefinition.validated(id: "b", scope: .global, periodKind: .day, limit: Nanodollars(1), tiers: []).tiers == [])
    }

    @Test("bad input is refused with a clear message", arguments: [
        (BudgetInput(limit: "-5"), "limit must be greater than $0 (got -5)"),
        (BudgetInput(limit: "0"), "limit must be greater than $0 (got 0)"),
        (BudgetInput(limit: "-0.0025"), "limit must be greater than $0 (got -0.0025)"),
        (BudgetInput(tiers: [50, 120]), "tier 120 % is above 100 %"),
        (BudgetInput(tiers: [0, 50]), "tier 0 % is below 1 %"),
        (BudgetInput(breaker: 101), "breaker threshold 101 % is above 100 %"),
        (BudgetInput(breaker: 0), "breaker threshold 0 % is below 1 %"),
        (BudgetInput(zone: "Mars/Base"), "unknown time zone 'Mars/Base'"),
        (BudgetInput(id: "Daily Budget"), "budget id must be 1–64 of [a-z0-9_.-] (got 'Daily Budget')"),
        (BudgetInput(id: ""), "budget id must be 1–64 of [a-z0-9_.-] (got '')"),
        (BudgetInput(id: "a:b"), "budget id must be 1–64 of [a-z0-9_.-] (got 'a:b')"),
        (BudgetInput(id: "{x}"), "budget id must be 1–64 of [a-z0-9_.-] (got '{x}')"),
    ])
    func invalid(_ input: BudgetInput, _ expected: String) throws {
        let limit = try F.usd(input.limit)
        let message = F.errorMessage { () throws(BudgetError) in
            _ = try BudgetDefinition.validated(
                id: input.id, scope: .global, periodKind: .day, timeZone: input.zone,
                limit: limit, tiers: input.tiers, breakerPercent: input.breaker)
        }
        #expect(message == expected)
    }

    @Test("an error quotes long or hostile input shortened and escaped")
    func quoting() {
        let message = F.errorMessage { () throws(BudgetError) in
            _ = try BudgetScope(parsing: "team:" + String(repeating: "x", count: 500) + "\u{1b}")
        }
        #expect(message == "unknown scope form 'team:" + String(repeating: "x", count: 56) + "...': "
            + "use global, provider:<p>, agent:<a>, session:<s> or tag:<key>=<value>")
        let escaped = F.errorMessage { () throws(BudgetError) in _ = try BudgetScope(parsing: "team:\u{1b}[31m") }
        #expect(escaped?.hasPrefix("unknown scope form 'team:\\u{1b}[31m': ") == true)
        #expect(BudgetError("boom").description == "boom")
    }

    @Test("a late event counts toward the period it occurred in, in the budget's zone")
    func lateEvent() throws {
        let budget = try BudgetDefinition.validated(
            id: "team-a.daily", scope: try BudgetScope(parsing: "tag:team=a"), periodKind: .day,
            timeZone: "America/New_York", limit: F.usd("100"))
        // Occurred at 23:30 New York time on the 26th, processed long after.
        let event = F.event(tags: ["team": "a"], occurredAt: try F.at("2026-11-27T04:30:00Z"))
        #expect(budget.matches(event))
        #expect(!budget.matches(F.event(tags: ["team": "b"])))
        let period = try budget.period(containing: event.occurredAt)
        #expect(period.key == "2026-11-26")
        #expect(budget.counterKey(for: period).spend == "cost:budget:{team-a.daily}:2026-11-26")
        #expect(budget.counterKey(for: period).alerts == "cost:budget:{team-a.daily}:2026-11-26:alerts")
    }

    @Test("monthly budget keys name the local month")
    func monthKey() throws {
        let budget = try BudgetDefinition.validated(
            id: "openai-monthly", scope: .provider("openai"), periodKind: .month,
            timeZone: "Pacific/Auckland", limit: F.usd("1000"))
        let period = try budget.period(containing: F.at("2026-11-30T12:00:00Z"))
        #expect(budget.counterKey(for: period).spend == "cost:budget:{openai-monthly}:2026-12")
        #expect(BudgetCounterKey.budget(id: "x", periodKey: "2026-11").description == "cost:budget:{x}:2026-11")
    }
}

struct BudgetInput: Sendable, CustomTestStringConvertible {
    var id = "daily"
    var limit = "10"
    var tiers = [50, 75, 85, 95]
    var breaker = 90
    var zone = "UTC"

    var testDescription: String { "id \(id) limit \(limit) tiers \(tiers) breaker \(breaker) zone \(zone)" }
}
