import Testing

/// Every integration suite of the budget worker (`cost-budget`), nested here so that they
/// run one at a time: each starts several worker processes, and on two cores running them
/// side by side would only make each slower. Each suite keeps its counters in a Redis
/// logical database of its own (1–9; see `BudgetRedis`).
@Suite(.serialized, .timeLimit(.minutes(10)))
enum BudgetIntegration {}
