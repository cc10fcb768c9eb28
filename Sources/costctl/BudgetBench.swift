import AMQPClient
import AgentSDK
import ArgumentParser
import BudgetKit
import CostCore
import CostStore
import Foundation
import PostgresClient
import RedisClient
import WorkerRuntime

struct BudgetBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "budget",
        abstract: "Drain a pre-filled queue through the budget worker's code (5 budgets match every event); "
            + "compare with the raw dedupe-and-increment Lua script through the same Redis client.",
        discussion: "Uses a scratch database and Redis database 14 (flushed).")

    @Option(help: "Events to pre-fill and drain.") var events: Int = 100_000
    @Option(help: "Consume loops of the worker under test.") var loops: Int = 2
    @Option(name: .customLong("batch-size")) var batchSize: Int = 1000
    @Option(help: "Pricing catalog to load into the scratch database.") var catalog: String = "ops/pricing/catalog.json"

    func run() throws {
        installInterruptHandler()
        let adminURL = try CLIEnvironment.value("COST_ADMIN_AMQP_URL", purpose: "the RabbitMQ admin URL")
        let redisBase = try CLIEnvironment.value("COST_REDIS_URL", purpose: "the Redis URL")
        let redisURL = Self.withDatabase(redisBase, 14)
        let benchDB = try BenchDatabase.create(from: try CLIEnvironment.value("COST_PG_URL", purpose: "the PostgreSQL URL"),
                                               catalog: catalog)
        let db = try PGConnection(url: benchDB.url, applicationName: "costctl-bench")
        defer { db.close() }
        let budgets = try [
            BudgetDefinition.validated(id: "global-day", scope: .global, periodKind: .day, limit: Nanodollars(1_000_000_000_000_000)),
            BudgetDefinition.validated(id: "global-month", scope: .global, periodKind: .month, limit: Nanodollars(1_000_000_000_000_000)),
            BudgetDefinition.validated(id: "ny-day", scope: .global, periodKind: .day, timeZone: "America/New_York",
                                       limit: Nanodollars(1_000_000_000_000_000)),
            BudgetDefinition.validated(id: "berlin-month", scope: .global, periodKind: .month, timeZone: "Europe/Berlin",
                                       limit: Nanodollars(1_000_000_000_000_000)),
            BudgetDefinition.validated(id: "sim-env", scope: .tag(key: "env", value: "sim"), periodKind: .day,
                                       limit: Nanodollars(1_000_000_000_000_000)),
        ]
        for b in budgets { try BudgetStore(db: db).upsert(b) }
        let redis = try RedisConnection(config: try RedisConfig(url: redisURL))
        defer { redis.close() }
        try redis.command(["FLUSHDB"])

        let bench = try BenchQueue(name: "cost.bench.budget", adminURL: adminURL)
        defer { bench.close() }
        let queue = bench.name
        let run = "bbench-\(SystemClock.unixMilliseconds)"
        try bench.prefill(count: events, seed: 5, runID: run)

        let started = ContinuousClock.now
        let running = try BenchWorker.start(kind: "budget", queue: queue, adminURL: adminURL, batchSize: batchSize, loops: loops) {
            BudgetProcessor(postgresURL: benchDB.url, redisURL: redisURL, logger: $0)
        }
        let workerSeconds = BenchWorker.waitProcessed(running, expected: events, started: started)
        running.requestStop()
        let workerRate = Double(events) / workerSeconds

        // Raw: the same script with the same keys and arguments, pipelined in batches of the
        // same size, through the same client, on a flushed database.
        var rawFleet = SimulatedFleet(agents: 200, seed: 5, runID: run + "-raw")
        let now = SystemClock.now()
        let rawEvents = (0..<events).map { _ in rawFleet.next(at: now) }
        let calls = try CounterCalls.make(events: rawEvents, budgets: budgets, credits: [],
                                          catalog: try PricingStore(db: db).loadCatalog(), now: now)
        Thread.sleep(forTimeInterval: 0.5)
        try redis.command(["FLUSHDB"])
        try redis.command(["SET", CounterCalls.readyKey, now.rfc3339])
        let rawStart = ContinuousClock.now
        for chunk in stride(from: 0, to: calls.count, by: batchSize) {
            _ = try redis.evalMany(CounterCalls.script, calls: Array(calls[chunk..<min(chunk + batchSize, calls.count)]))
        }
        let rawRate = Double(events) / BenchWorker.seconds(ContinuousClock.now - rawStart)
        try redis.command(["FLUSHDB"])
        print("budget (\(loops) loop\(loops == 1 ? "" : "s"), 5 budgets per event): \(Int(workerRate)) events/s   "
              + "raw Lua dedupe+increment (pipelined ×\(batchSize)): \(Int(rawRate)) calls/s   "
              + "ratio \(String(format: "%.2f", workerRate / rawRate)) (target ≥ 0.60)")
    }

    static func withDatabase(_ url: String, _ db: Int) -> String {
        var base = url
        if let slash = base.lastIndex(of: "/"), base[base.index(after: slash)...].allSatisfy(\.isNumber),
           base[..<slash].hasSuffix("/") == false, base.distance(from: base.startIndex, to: slash) > 8 {
            base = String(base[..<slash])
        }
        return base + "/\(db)"
    }
}
