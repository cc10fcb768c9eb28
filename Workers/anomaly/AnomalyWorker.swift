import AnomalyKit
import ArgumentParser
import WorkerRuntime

/// cost-anomaly: a risk score for every usage event, with agent state shared in Redis.
@main
struct AnomalyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cost-anomaly",
        abstract: "Score every usage event's risk (LOW/MEDIUM/HIGH/CRITICAL) from five factors; record, alert and trip breakers.",
        discussion: """
            Consumes cost.usage.anomaly. Each event is priced with the catalog and scored from five factors (rate, \
            cost spike, token efficiency, provider switching, deviation from the hour-of-week history) against the \
            agent's own baselines, which live in Redis (one compare-and-set per agent and batch, deduplicated on \
            event_id), so any number of anomaly workers agree and a redelivered event is never scored twice. \
            Scores follow occurred_at, not the clock. MEDIUM and above are stored in security_events; HIGH raises \
            a risk_high alert (cost_alerts, exchange cost.alerts); CRITICAL, a cost spike of 10x normal and \
            sustained rate violations send an open_breaker signal for the agent on cost.signals. \
            Report with `costctl security report --since 24h`.
            """)

    @OptionGroup var options: WorkerOptions

    func run() async throws {
        let settings = try options.settings(kind: "anomaly", defaultMetricsPort: 9404, needsPostgres: true, needsRedis: true)
        let code = await WorkerMain.run(settings: settings, logLevel: try options.resolvedLogLevel()) { logger in
            AnomalyProcessor(postgresURL: settings.postgresURL ?? "", redisURL: settings.redisURL ?? "", logger: logger)
        }
        if code != 0 { throw ExitCode(code) }
    }
}
