import ArgumentParser
import BreakerKit
import Foundation
import WorkerRuntime

/// cost-breaker: circuit-breaker state per scope in Redis, driven by signals and signed commands.
@main
struct BreakerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cost-breaker",
        abstract: "Keep CLOSED/OPEN/HALF_OPEN breaker state per scope in Redis, from budget and risk signals and signed admin commands.",
        discussion: """
            Consumes cost.signals.breaker (signals from the budget and anomaly workers) and cost.control (admin \
            commands signed with Ed25519, header x-cost-signature). Writes state to the Redis hash \
            cost:breaker:<scope> by compare-and-set on its version and publishes every change on the channel \
            cost:breaker:events; records every transition in breaker_events and every command, applied or \
            refused, in audit_log. Holds public keys only (--keys-file, see `costctl keys generate`).
            """)

    @OptionGroup var options: WorkerOptions

    @Option(name: .customLong("keys-file"), help: "Trusted public keys and what each may do (env COST_BREAKER_KEYS).")
    var keysFile: String?

    func run() async throws {
        var settings = try options.settings(kind: "breaker", defaultMetricsPort: 9403, needsPostgres: true, needsRedis: true)
        settings.loops = 1
        let keys = keysFile ?? ProcessInfo.processInfo.environment["COST_BREAKER_KEYS"]
        let code = await WorkerMain.run(settings: settings, logLevel: try options.resolvedLogLevel()) { logger, metrics, health in
            [try BreakerLoop(settings: settings, keysFile: keys, logger: logger, health: health)]
        }
        if code != 0 { throw ExitCode(code) }
    }
}
