import AMQPClient
import AgentSDK
import ArgumentParser
import CostCore
import Foundation
import Logging
import PersistKit
import PostgresClient
import WorkerRuntime

/// Runs the persist worker's consume loop in-process against a scratch queue.
enum BenchWorker {
    /// The loops of one worker process (`loops` as `cost-persist --loops`).
    struct Running {
        let loops: [ConsumeLoop]
        let health: HealthState
        /// Left by each loop's thread once `run()` has returned (connections closed).
        let ended: DispatchGroup
        func requestStop() { loops.forEach { $0.requestStop() } }
        /// Stops the loops and waits until every one has closed its connections, so no
        /// message of a later round is taken (and then handed back) by a loop on its way out.
        func stop() {
            requestStop()
            ended.wait()
        }
        /// Events the loops have processed and acked.
        var processed: Int { Int(health.snapshot.stored) }
    }

    static func start(queue: String, adminURL: String, postgresURL: String, batchSize: Int, loops: Int,
                      prefetch: UInt16? = nil) throws -> Running {
        try start(kind: "persist", queue: queue, adminURL: adminURL, batchSize: batchSize, loops: loops,
                  prefetch: prefetch) { logger in
            PersistProcessor(postgresURL: postgresURL, logger: logger)
        }
    }

    /// `prefetch` nil: the worker's default (`WorkerSettings`).
    static func start(kind: String, queue: String, adminURL: String, batchSize: Int, loops: Int, prefetch: UInt16? = nil,
                      processor: (Logger) -> BatchProcessor) throws -> Running {
        var logger = Logger(label: "bench.\(kind)")
        logger.logLevel = ProcessInfo.processInfo.environment["COST_BENCH_VERBOSE"] == nil ? .warning : .info
        var settings = WorkerSettings(kind: kind, instance: "bench", amqpURL: adminURL, queue: queue,
                                      declareTopology: false, batchSize: batchSize, loops: loops)
        if let prefetch { settings.prefetch = prefetch }
        let metrics = WorkerMetrics(kind: kind)
        let health = HealthState()
        let running = try (0..<loops).map { _ in
            try ConsumeLoop(settings: settings, processor: processor(logger), logger: logger, metrics: metrics, health: health)
        }
        let ended = DispatchGroup()
        for loop in running {
            ended.enter()
            Thread { try? loop.run(); ended.leave() }.start()
        }
        return Running(loops: running, health: health, ended: ended)
    }

    /// Seconds until the loops have processed `expected` events.
    static func waitProcessed(_ running: Running, expected: Int, started: ContinuousClock.Instant) -> Double {
        var lastPrint = started
        while !interrupted.load(ordering: .relaxed) && running.processed < expected {
            if ContinuousClock.now - lastPrint > .seconds(2) {
                progress("processed \(running.processed)/\(expected)")
                lastPrint = ContinuousClock.now
            }
            Thread.sleep(forTimeInterval: 0.005)
        }
        return seconds(ContinuousClock.now - started)
    }

    /// Seconds from start until `expected` events are stored.
    static func drain(queue: String, adminURL: String, postgresURL: String, expected: Int, batchSize: Int, loops: Int,
                      prefetch: UInt16? = nil) throws -> Double {
        let started = ContinuousClock.now
        let running = try start(queue: queue, adminURL: adminURL, postgresURL: postgresURL, batchSize: batchSize, loops: loops,
                                prefetch: prefetch)
        defer { running.requestStop() }
        let elapsed = waitProcessed(running, expected: expected, started: started)
        let db = try PGConnection(url: postgresURL, applicationName: "costctl-bench")
        defer { db.close() }
        let stored = Int(try db.query("SELECT count(*) AS n FROM cost_event_ids")[0, "n"] ?? "0") ?? 0
        guard stored == expected else { throw ValidationError("stored \(stored) events, expected \(expected)") }
        return elapsed
    }

    static func endToEnd(queue: String, adminURL: String, postgresURL: String, rate: Int, seconds duration: Double,
                         batchSize: Int = PersistDefaults.batchSize, loops: Int, prefetch: UInt16? = nil) throws
        -> (published: Int, count: Int, p50: Int, p99: Int, max: Int) {
        let loop = try start(queue: queue, adminURL: adminURL, postgresURL: postgresURL, batchSize: batchSize, loops: loops,
                             prefetch: prefetch)
        defer { loop.requestStop() }
        var options = UsagePublisher.Options()
        options.exchange = ""
        options.routingKeyOverride = queue
        let publisher = try UsagePublisher(url: adminURL, options: options, clock: SystemClock.now)
        defer { publisher.close() }
        let run = "e2e-\(SystemClock.unixMilliseconds)"
        var fleet = SimulatedFleet(agents: 200, seed: 11, runID: run)
        progress("publishing at \(rate)/s for \(Int(duration)) s with confirms…")
        let sent = try drive(publisher: publisher, fleet: &fleet, rate: rate, count: nil, duration: duration, quiet: false)
        _ = publisher.flush(timeout: .seconds(30))
        let db = try PGConnection(url: postgresURL, applicationName: "costctl-bench")
        defer { db.close() }
        let deadline = ContinuousClock.now + .seconds(30)
        var stored = 0
        while ContinuousClock.now < deadline {
            stored = Int(try db.query("SELECT count(*) AS n FROM cost_tracking WHERE event_id LIKE $1", [run + "-%"])[0, "n"] ?? "0") ?? 0
            if stored >= sent.published { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        let r = try db.query("""
            SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_disc(0.99) WITHIN GROUP (ORDER BY ms) AS p99,
                   max(ms) AS max
            FROM (SELECT extract(epoch FROM recorded_at - occurred_at) * 1000 AS ms FROM cost_tracking WHERE event_id LIKE $1) t
            """, [run + "-%"])
        func ms(_ c: String) -> Int { Int(Double(r[0, c] ?? "0") ?? 0) }
        return (sent.published, stored, ms("p50"), ms("p99"), ms("max"))
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
