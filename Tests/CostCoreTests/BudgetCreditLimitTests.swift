import CostCore
import Testing

@Suite("Provider credit limits")
struct BudgetCreditLimitTests {
    typealias F = BudgetFixture

    @Test("defaults: tiers 50/75/85/95 %, breaker at 95 %; key names provider and since")
    func defaults() throws {
        let credit = try CreditLimit.validated(provider: "openai", credit: F.usd("500"), since: F.at("2026-01-01T00:00:00Z"))
        #expect(credit.tiers == [50, 75, 85, 95])
        #expect(credit.breakerPercent == 95)
        #expect(credit.counterKey.spend == "cost:credit:{openai}:1767225600")
        #expect(credit.thresholds == SpendThresholds(limit: try F.usd("500"), tiers: [50, 75, 85, 95], breakerPercent: 95))
    }

    @Test("counts events of its provider that occurred at or after since")
    func matches() throws {
        let since = try F.at("2026-11-01T00:00:00Z")
        let credit = try CreditLimit.validated(provider: "anthropic", credit: F.usd("100"), since: since)
        #expect(credit.matches(F.event(provider: "anthropic", occurredAt: since)))
        #expect(credit.matches(F.event(provider: "anthropic", occurredAt: since.adding(seconds: 86_400))))
        #expect(!credit.matches(F.event(provider: "anthropic", occurredAt: since.adding(microseconds: -1))))
        #expect(!credit.matches(F.event(provider: "openai", occurredAt: since)))
    }

    @Test("the breaker trips when spend crosses 95 % of the credit")
    func breaker() throws {
        let credit = try CreditLimit.validated(provider: "openai", credit: F.usd("100"), since: F.at("2026-01-01T00:00:00Z"))
        let crossing = credit.thresholds.evaluate(previous: try F.usd("80"), current: try F.usd("95"))
        #expect(crossing.tiers == [85, 95])
        #expect(crossing.breakerTripped)
        #expect(!credit.thresholds.evaluate(previous: try F.usd("80"), current: try F.usd("94.999999999")).breakerTripped)
    }

    @Test("bad input is refused with a clear message")
    func invalid() throws {
        let since = try F.at("2026-01-01T00:00:00Z")
        #expect(throws: BudgetError("provider must match ^[a-z0-9][a-z0-9_-]{0,31}$ (got 'OpenAI')")) {
            try CreditLimit.validated(provider: "OpenAI", credit: F.usd("1"), since: since)
        }
        #expect(throws: BudgetError("credit must be greater than $0 (got 0)")) {
            try CreditLimit.validated(provider: "openai", credit: .zero, since: since)
        }
        #expect(throws: BudgetError("credit must be greater than $0 (got -12.5)")) {
            try CreditLimit.validated(provider: "openai", credit: F.usd("-12.5"), since: since)
        }
        #expect(throws: BudgetError("tier 101 % is above 100 %")) {
            try CreditLimit.validated(provider: "openai", credit: F.usd("1"), since: since, tiers: [101])
        }
        #expect(throws: BudgetError("breaker threshold 0 % is below 1 %")) {
            try CreditLimit.validated(provider: "openai", credit: F.usd("1"), since: since, breakerPercent: 0)
        }
    }
}
