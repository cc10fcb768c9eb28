import ArgumentParser
import BudgetKit
import WorkerRuntime

/// cost-budget: exact spend counters per budget and period, tier alerts, breaker signals.
@main
struct BudgetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cost-budget",
        abstract: "Keep exact spend counters per budget and provider credit; fire tier alerts and breaker signals.",
        discussion: """
            Consumes cost.usage.budget. For every event it prices the call with the catalog, then one Lua script \
            per event (deduplicated on event_id) adds the cost to each matching budget's counter for the period of \
            the event's occurred_at, in integer nanodollars in Redis. Each (budget, period, tier) alert fires once \
            (cost_alerts, exchange cost.alerts, webhooks); crossing the breaker threshold sends a signal on \
            cost.signals. If Redis loses its data, the counters are rebuilt from PostgreSQL before counting \
            resumes. Manage budgets with `costctl budget` and `costctl credits`; changes apply within seconds.
            """)

    @OptionGroup var options: WorkerOptions

    func run() async throws {
        let settings = try options.settings(kind: "budget", defaultMetricsPort: 9402, needsPostgres: true, needsRedis: true)
        let code = await WorkerMain.run(settings: settings, logLevel: try options.resolvedLogLevel()) { logger in
            BudgetProcessor(postgresURL: settings.postgresURL ?? "", redisURL: settings.redisURL ?? "", logger: logger)
        }
        if code != 0 { throw ExitCode(code) }
    }
}
