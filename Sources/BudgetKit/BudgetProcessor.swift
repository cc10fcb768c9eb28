import CostCore
import CostStore
import Logging
import Metrics
import PostgresClient
import RedisClient
import WorkerRuntime

/// The budget worker's batch step: price each event, move every counter it counts toward
/// with one Lua script call per event (pipelined), then fire the tier, breaker and projection
/// alerts the new totals reached. Redis holds the counters; PostgreSQL holds budgets, the
/// catalog, alerts and the record the counters are rebuilt from.
public final class BudgetProcessor: BatchProcessor {
    public struct Options: Sendable {
        /// How often budgets, credit limits and the catalog are re-read.
        public var reloadMs: Int64 = 3_000
        /// How often Redis counters are compared with PostgreSQL.
        public var reconcileMs: Int64 = 60_000
        /// After a rebuild, how long rows newly stored by the persist worker are also counted
        /// here (deduplicated), to cover events this worker acked before Redis lost them.
        public var rebuildTailSeconds: Int64 = 120
        public init() {}
    }

    private let postgresURL: String
    private let redisURL: String
    private let logger: Logger
    private let options: Options
    private var db: PGConnection?
    private var redis: RedisConnection?
    private var rules = BudgetRules(budgets: [], credits: [])
    private var catalog = PricingCatalog(prices: [])
    private var loadedAtMs: Int64 = 0
    private var reconciledAtMs: Int64 = 0
    private var alerts: AlertEvaluator?
    private var rebuilder: CounterRebuilder?
    /// How far this instance has tailed newly stored rows after a rebuild (kept across
    /// reconnects; the window itself is read from Redis).
    private var tailWatermark: Timestamp?
    private let counted = Counter(label: "cost_budget_events_total", dimensions: [("outcome", "counted")])
    private let duplicates = Counter(label: "cost_budget_events_total", dimensions: [("outcome", "duplicate")])
    private let drift = Gauge(label: "cost_budget_drift_counters")

    public init(postgresURL: String, redisURL: String, logger: Logger, options: Options = Options()) {
        self.postgresURL = postgresURL
        self.redisURL = redisURL
        self.logger = logger
        self.options = options
    }

    public func connect() throws {
        let db = try PGConnection(url: postgresURL, applicationName: "cost-budget")
        try Migrator.requireCurrent(db)
        let redis = try RedisConnection(config: try RedisConfig(url: redisURL))
        self.db = db
        self.redis = redis
        alerts = AlertEvaluator(db: db, logger: logger)
        rebuilder = CounterRebuilder(db: db, redis: redis, logger: logger, tailSeconds: options.rebuildTailSeconds)
        try reload()
        if try redis.command(["EXISTS", CounterScript.readyKey]).int != 1 {
            try rebuilder?.rebuild(rules: rules, now: SystemClock.now())
        }
    }

    public func disconnect() {
        db?.close()
        redis?.close()
        db = nil
        redis = nil
        alerts = nil
        rebuilder = nil
    }

    public func process(_ batch: [InboundEvent], context: WorkerContext) throws {
        guard let redis, let alerts, let rebuilder else {
            throw StoreError(code: .database, message: "not connected", isRetriable: true)
        }
        if rules.isEmpty { return }
        let now = context.now
        var calls: [(keys: [String], args: [String])] = []
        var targets: [[CounterTarget]] = []
        for inbound in batch {
            let e = inbound.event
            let t = try rules.targets(for: e)
            guard !t.isEmpty else { continue }
            let cost = CostCalculator.price(e, catalog: catalog).cost
            calls.append(CounterScript.call(eventID: e.eventID, cost: cost, targets: t, now: now))
            targets.append(t)
        }
        guard !calls.isEmpty else { return }
        let replies = try redis.evalMany(CounterScript.script, calls: calls)
        var totals: [CounterTarget: Nanodollars] = [:]
        for (reply, t) in zip(replies, targets) {
            guard case .array(let values) = reply, let status = values.first?.int else {
                throw RedisError(kind: .protocolError, message: "unexpected reply from the counter script: \(reply)")
            }
            if status < 0 {
                // Redis lost its data: rebuild the counters, then count this batch again
                // (events counted before the loss are in the rebuilt totals or deduplicated).
                try rebuilder.rebuild(rules: rules, now: now)
                throw StoreError(code: .database, message: "counters were rebuilt; retrying the batch", isRetriable: true)
            }
            if status == 1 { counted.increment() } else { duplicates.increment() }
            for (target, value) in zip(t, values.dropFirst()) {
                totals[target] = Nanodollars(value.int ?? 0)
            }
        }
        try alerts.evaluate(totals, now: now, context: context)
    }

    public func housekeeping(context: WorkerContext) throws {
        let nowMs = SystemClock.unixMilliseconds
        if nowMs - loadedAtMs >= options.reloadMs {
            let before = Dictionary(rules.budgets.map { ($0.id, $0.limit) }, uniquingKeysWith: { a, _ in a })
            try reload()
            for b in rules.budgets where (before[b.id].map { b.limit > $0 } ?? false) {
                if case .tag = b.scope { continue }
                if case .session = b.scope { continue }
                try alerts?.signalLimitRaised(b, context: context)
            }
        }
        try alerts?.publishPending(context: context)
        try alerts?.deliverWebhooks()
        if let redis, try redis.command(["EXISTS", CounterScript.readyKey]).int != 1 {
            try rebuilder?.rebuild(rules: rules, now: SystemClock.now())
        }
        if let rebuilder, let alerts {
            let now = SystemClock.now()
            let tailed = try rebuilder.tail(rules: rules, watermark: tailWatermark, now: now)
            tailWatermark = tailed.watermark
            if !tailed.totals.isEmpty { try alerts.evaluate(tailed.totals, now: now, context: context) }
        }
        if nowMs - reconciledAtMs >= options.reconcileMs {
            reconciledAtMs = nowMs
            try reconcile()
        }
    }

    private func reload() throws {
        guard let db else { return }
        let store = BudgetStore(db: db)
        rules = BudgetRules(budgets: try store.budgets(), credits: try store.creditLimits())
        catalog = try PricingStore(db: db).loadCatalog()
        loadedAtMs = SystemClock.unixMilliseconds
    }

    /// Compares each current counter with the sum PostgreSQL recorded; reports drift (the
    /// persist worker may simply be behind, so this only reports).
    private func reconcile() throws {
        guard let db, let redis else { return }
        var drifting = 0
        for (target, scope, _) in try rules.currentTargets(now: SystemClock.now()) {
            let cached = Nanodollars(try redis.command(["GET", target.key]).int ?? 0)
            let recorded = try BudgetStore(db: db).recordedSpend(
                scope: scope, from: target.periodStart, to: target.periodEnd ?? Timestamp(microsecondsSinceEpoch: Int64.max / 2))
            if cached != recorded {
                drifting += 1
                logger.notice("counter differs from the record", metadata: [
                    "counter": "\(target.key)", "redis": "\(cached.decimalString)", "postgres": "\(recorded.decimalString)"])
            }
        }
        drift.record(drifting)
    }
}
