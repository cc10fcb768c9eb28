import CostCore
import RedisClient

/// The counter script and its calls for a set of events, precomputed: what the budget
/// benchmark runs raw, without any worker logic, as its same-run baseline.
public enum CounterCalls {
    public static var script: RedisScript { CounterScript.script }
    public static var readyKey: String { CounterScript.readyKey }

    public static func make(events: [UsageEvent], budgets: [BudgetDefinition], credits: [CreditLimit],
                            catalog: PricingCatalog, now: Timestamp) throws(BudgetError) -> [(keys: [String], args: [String])] {
        var rules = BudgetRules(budgets: budgets, credits: credits)
        var calls: [(keys: [String], args: [String])] = []
        for e in events {
            let targets = try rules.targets(for: e)
            let cost = CostCalculator.price(e, catalog: catalog).cost
            calls.append(CounterScript.call(eventID: e.eventID, cost: cost, targets: targets, now: now))
        }
        return calls
    }
}
