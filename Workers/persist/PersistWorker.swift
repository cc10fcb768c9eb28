import ArgumentParser
import PersistKit
import WorkerRuntime

/// cost-persist: stores every valid usage event exactly once in PostgreSQL.
@main
struct PersistCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cost-persist",
        abstract: "Store every valid usage event exactly once in PostgreSQL (cost_tracking and its aggregates).",
        discussion: """
            Consumes cost.usage.persist in batches, prices each event with the catalog in force at its \
            occurred_at, commits the batch in one transaction and only then acks. Invalid messages go to \
            cost.dlq.persist with their reason (see `costctl dlq list`). Run as many instances as you like: \
            event_id makes every write idempotent. Needs a migrated database (`costctl migrate`).
            Unlike the other workers, batches default to 2000 events and the prefetch to 4000 (fewer commits \
            and aggregate rows per event); --batch-size / COST_BATCH_SIZE and --prefetch / COST_PREFETCH override.
            """)

    @OptionGroup var options: WorkerOptions

    func run() async throws {
        let settings = try options.settings(kind: "persist", defaultMetricsPort: 9401, needsPostgres: true, needsRedis: false,
                                            defaultBatchSize: PersistDefaults.batchSize, defaultPrefetch: PersistDefaults.prefetch)
        let code = await WorkerMain.run(settings: settings, logLevel: try options.resolvedLogLevel()) { logger in
            PersistProcessor(postgresURL: settings.postgresURL!, logger: logger)
        }
        if code != 0 { throw ExitCode(code) }
    }
}
