import AMQPClient
import AgentSDK
import ArgumentParser
import CostCore
import CostStore
import Foundation
import Logging
import PersistKit
import PostgresClient
import WorkerRuntime

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure throughput against a raw baseline measured in the same run.",
        discussion: """
            Runs in a scratch database (<db>_bench, dropped and re-created) and a scratch queue, so it leaves \
            the system's data alone. Build with -c release for meaningful numbers:
              swift build -c release && .build/release/costctl bench persist --events 200000
            """,
        subcommands: [PersistBench.self, BudgetBench.self, GateBench.self, AnomalyBench.self])
}

struct PersistBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "persist",
        abstract: "Drain a pre-filled queue through the persist worker's code; compare with raw COPY + INSERT … ON CONFLICT.")

    @Option(help: "Events to pre-fill and drain.")
    var events: Int = 200_000

    @Option(name: .customLong("batch-size"), help: "Worker batch size (default: cost-persist's).")
    var batchSize: Int = PersistDefaults.batchSize

    @Option(help: "Consume loops of the worker under test (as `cost-persist --loops`).")
    var loops: Int = 2

    @Option(help: "Unacked messages per consume loop (as `cost-persist --prefetch`; default: cost-persist's).")
    var prefetch: UInt16 = PersistDefaults.prefetch

    @Option(help: "Pricing catalog to load into the scratch database.")
    var catalog: String = "ops/pricing/catalog.json"

    @Option(name: .customLong("e2e-rate"), help: "Also run the end-to-end check at this publish rate (events/s; 0 = skip).")
    var e2eRate: Int = 5000

    @Option(name: .customLong("e2e-seconds"), help: "Length of the end-to-end check.")
    var e2eSeconds: Double = 20

    func run() throws {
        installInterruptHandler()
        let adminURL = try CLIEnvironment.value("COST_ADMIN_AMQP_URL", purpose: "the RabbitMQ admin URL")
        let benchDB = try BenchDatabase.create(from: try CLIEnvironment.value("COST_PG_URL", purpose: "the PostgreSQL URL"),
                                               catalog: catalog)
        let bench = try BenchQueue(name: "cost.bench.persist", adminURL: adminURL)
        defer { bench.close() }
        let queue = bench.name

        // 1. Pre-fill.
        let fill = try bench.prefill(count: events, seed: 7, runID: "bench-\(SystemClock.unixMilliseconds)")
        progress("pre-filled in \(String(format: "%.1f", fill)) s")

        // 2. Raw baseline: the same kind of rows straight into PostgreSQL, no broker, no worker.
        // Measured before and after the drain and averaged, so neither side gets the quieter
        // database (the drain leaves dirty pages, autovacuum work and checkpoints behind).
        let before = try baselineRate(benchDB.url, label: "before")
        progress("baseline before the drain: \(Int(before)) rows/s")

        // 3. Drain through the persist worker's code.
        let drain = try BenchWorker.drain(queue: queue, adminURL: adminURL, postgresURL: benchDB.url,
                                          expected: events, batchSize: batchSize, loops: loops, prefetch: prefetch)
        let rate = Double(events) / drain
        progress("persist drained \(events) events in \(String(format: "%.2f", drain)) s")

        let after = try baselineRate(benchDB.url, label: "after")
        let baselineRate = (before + after) / 2
        print("persist (\(loops) loop\(loops == 1 ? "" : "s"), batch \(batchSize), prefetch \(prefetch)): \(Int(rate)) events/s   "
              + "baseline COPY+INSERT…ON CONFLICT: \(Int(baselineRate)) rows/s (before \(Int(before)), after \(Int(after)))   "
              + "ratio \(String(format: "%.2f", rate / baselineRate)) (target ≥ 0.70)")

        // 4. End to end: publish with confirms at a steady rate, measure publish-to-stored lag.
        if e2eRate > 0 {
            let lag = try BenchWorker.endToEnd(queue: queue, adminURL: adminURL, postgresURL: benchDB.url, rate: e2eRate,
                                               seconds: e2eSeconds, batchSize: batchSize, loops: loops, prefetch: prefetch)
            print("end to end at \(e2eRate) events/s for \(Int(e2eSeconds)) s: \(lag.published) published, \(lag.count) stored, "
                  + "publish-to-stored lag p50 \(lag.p50) ms, p99 \(lag.p99) ms, max \(lag.max) ms (target p99 < 1000 ms)")
        }
    }

    /// Rows per second of the raw baseline over `events` fresh rows.
    private func baselineRate(_ url: String, label: String) throws -> Double {
        var fleet = SimulatedFleet(agents: 200, seed: 7, runID: "baseline-\(label)-\(SystemClock.unixMilliseconds)")
        return Double(events) / (try BenchDatabase.baseline(url: url, fleet: &fleet, rows: events))
    }
}
