import CostCore
import CostStore
import Foundation
import PostgresClient
import Testing

/// What one budget test runs against: a scratch database, a scratch queue for the budget
/// workers (and one for a persist worker when the test needs the record in PostgreSQL),
/// a Redis database of its own, and a tap on `cost.alerts` / `cost.signals`. Every event is
/// published to each queue, as the real topology's `usage.#` bindings would deliver it.
final class BudgetStage {
    let db: ScratchDatabase
    let budgetQueues: ScratchQueues
    let persistQueues: ScratchQueues?
    let redis: BudgetRedis
    let tap: BudgetAlertTap
    let catalog: PricingCatalog
    private let store: PGConnection
    private(set) var budgetWorkers: [BudgetWorkerProcess] = []
    private(set) var persistWorkers: [WorkerProcess] = []

    init(redisDatabase: Int, withPersist: Bool = false) throws {
        db = try ScratchDatabase()
        budgetQueues = try ScratchQueues()
        persistQueues = withPersist ? try ScratchQueues() : nil
        redis = try BudgetRedis(database: redisDatabase)
        tap = try BudgetAlertTap()
        catalog = try ScratchDatabase.catalog()
        store = try PGConnection(url: db.url, applicationName: "it-harness")
    }

    /// Stops every worker still running (SIGKILL: the test has made its assertions), removes
    /// the queues and the database, empties the Redis database.
    func tearDown() {
        for w in budgetWorkers { w.kill9() }
        for w in persistWorkers { w.kill9() }
        tap.delete()
        budgetQueues.delete()
        persistQueues?.delete()
        store.close()
        db.drop()
        try? redis.flush()
        redis.close()
    }

    // MARK: budgets

    func set(_ budget: BudgetDefinition) throws {
        try BudgetStore(db: store).upsert(budget)
    }

    func set(_ credit: CreditLimit) throws {
        try BudgetStore(db: store).upsert(credit)
    }

    // MARK: workers

    @discardableResult
    func startBudgetWorker(_ name: String) throws -> BudgetWorkerProcess {
        let w = try BudgetWorkerProcess(name: name, queue: budgetQueues.queue, pgURL: db.url, redisURL: redis.url)
        budgetWorkers.append(w)
        return w
    }

    @discardableResult
    func startPersistWorker(_ name: String) throws -> WorkerProcess {
        let queues = try #require(persistQueues, "this stage has no persist queue")
        let w = try WorkerProcess(name: name, amqpURL: try IntegrationEnvironment.adminAMQPURL(), pgURL: db.url,
                                  arguments: ["--queue", queues.queue, "--dead-letter-key", queues.deadLetterKey])
        persistWorkers.append(w)
        return w
    }

    /// SIGTERM to every running worker; each must exit 0 and keep passwords out of its log.
    func stopWorkers() async {
        for w in budgetWorkers where w.isRunning {
            await w.terminate()
            w.expectNoSecretsInLog()
        }
        for w in persistWorkers where w.isRunning {
            await w.terminate()
            w.expectNoSecretsInLog()
        }
    }

    // MARK: events

    func publish(_ events: [UsageEvent]) throws {
        try publish(TestEvents.messages(events))
    }

    /// The same bytes to the budget queue and, when there is one, the persist queue.
    func publish(_ messages: [(key: String, body: [UInt8])]) throws {
        try budgetQueues.publish(messages)
        try persistQueues?.publish(messages)
    }

    func cost(_ event: UsageEvent) -> Nanodollars {
        CostCalculator.price(event, catalog: catalog).cost
    }

    // MARK: observing

    /// `costctl <arguments>` pointed at this stage's database and Redis database.
    func costctl(_ arguments: [String]) throws -> CommandRunner.Output {
        var environment = ProcessInfo.processInfo.environment
        environment["COST_PG_URL"] = db.url
        environment["COST_REDIS_URL"] = redis.url
        return try CommandRunner.run(try IntegrationEnvironment.executable("costctl"), arguments, environment: environment)
    }

    /// Worker logs and dead letters, for failure messages.
    var diagnostics: String {
        (budgetWorkers.map(\.logTail) + persistWorkers.map(\.logTail)).joined(separator: "\n")
            + "\n" + budgetQueues.deadLetterSummary()
    }

    /// Rows of `cost_alerts` as "kind|subject|period_key|tier", with how often each occurs.
    func alertRows(kinds: Set<String>? = nil) throws -> [String: Int] {
        var out: [String: Int] = [:]
        for r in try db.query("SELECT kind, subject, period_key, tier::text FROM cost_alerts").rows {
            guard kinds?.contains(r[0] ?? "") ?? true else { continue }
            out[(0..<4).map { r[$0] ?? "" }.joined(separator: "|"), default: 0] += 1
        }
        return out
    }
}
