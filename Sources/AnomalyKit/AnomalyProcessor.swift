import CostCore
import CostStore
import Logging
import Metrics
import PostgresClient
import RedisClient
import WorkerRuntime

/// The anomaly worker's batch step: price each event with the catalog, score it against the
/// agent's state shared in Redis (`SharedRiskScorer`), then act on the scores (`RiskOutputs`).
/// Acked only after all of it, so a crash repeats the batch: events already scored are
/// recognised by their seen markers and only their outputs are repeated (idempotently).
public final class AnomalyProcessor: BatchProcessor {
    public struct Options: Sendable {
        /// How often the pricing catalog is re-read.
        public var reloadMs: Int64 = 30_000
        /// One breaker signal per agent and reason at most this often (per worker).
        public var signalQuietSeconds: Int64 = 30
        public var config = RiskConfig()
        /// The states this process wrote, taken instead of decoding when read back unchanged
        /// (`AgentStateCache`); nil decodes every time.
        public var stateCache: AgentStateCache? = .shared
        /// The loops of this process score an agent one at a time (`AgentTurns`); nil leaves
        /// conflicts between them to the compare-and-set.
        public var turns: AgentTurns? = .shared
        /// Parts a large batch is scored in, each part's compare-and-sets sent to Redis while
        /// the next part is scored (1: all of them once the batch is scored).
        public var writeParts = 4
        public init() {}
    }

    private let postgresURL: String
    private let redisURL: String
    private let logger: Logger
    private let options: Options
    private var db: PGConnection?
    private var redis: RedisConnection?
    private var scorer: SharedRiskScorer?
    /// Kept across reconnects (it remembers the signals sent); only its connection changes.
    private let outputs: RiskOutputs
    /// Compare-and-sets this processor lost so far (another loop or worker wrote the agent
    /// meanwhile), each costing the agent's events a second read and scoring.
    public private(set) var stateConflicts = 0
    private var catalog = PricingCatalog(prices: [])
    private var loadedAtMs: Int64 = 0
    private let levels = Dictionary(uniqueKeysWithValues: RiskLevel.allCases.map {
        ($0, Counter(label: "cost_anomaly_events_total", dimensions: [("level", $0.rawValue)]))
    })
    private let levelIndex = Dictionary(uniqueKeysWithValues: RiskLevel.allCases.enumerated().map { ($1, $0) })
    private let replayed = Counter(label: "cost_anomaly_events_total", dimensions: [("level", "already_scored")])
    private let conflicts = Counter(label: "cost_anomaly_state_conflicts_total")
    private let damaged = Counter(label: "cost_anomaly_damaged_states_total")

    public init(postgresURL: String, redisURL: String, logger: Logger, options: Options = Options()) {
        self.postgresURL = postgresURL
        self.redisURL = redisURL
        self.logger = logger
        self.options = options
        outputs = RiskOutputs(logger: logger, signalQuietSeconds: options.signalQuietSeconds)
    }

    public func connect() throws {
        let db = try PGConnection(url: postgresURL, applicationName: "cost-anomaly")
        try Migrator.requireCurrent(db)
        let redis = try RedisConnection(config: try RedisConfig(url: redisURL))
        self.db = db
        self.redis = redis
        scorer = SharedRiskScorer(redis: redis, config: options.config, logger: logger, cache: options.stateCache,
                                  turns: options.turns, writeParts: options.writeParts)
        outputs.db = db
        try reload()
    }

    public func disconnect() {
        db?.close()
        redis?.close()
        db = nil
        redis = nil
        scorer = nil
        outputs.db = nil
    }

    public func process(_ batch: [InboundEvent], context: WorkerContext) throws {
        guard let scorer else {
            throw StoreError(code: .database, message: "not connected", isRetriable: true)
        }
        let before = (scorer.conflicts, scorer.damagedStates)
        let scored = try scorer.score(batch.map { ($0.event, CostCalculator.price($0.event, catalog: catalog)) })
        let lost = scorer.conflicts - before.0
        conflicts.increment(by: lost)
        stateConflicts += lost
        damaged.increment(by: scorer.damagedStates - before.1)
        try outputs.emit(scored, context: context)
        // Counted per batch: one metrics update per level rather than per event.
        var perLevel = [Int](repeating: 0, count: RiskLevel.allCases.count)
        var replays = 0
        for item in scored {
            if item.replayed { replays += 1 } else { perLevel[levelIndex[item.assessment.level]!] += 1 }
        }
        if replays > 0 { replayed.increment(by: replays) }
        for (level, count) in zip(RiskLevel.allCases, perLevel) where count > 0 { levels[level]?.increment(by: count) }
    }

    public func housekeeping(context: WorkerContext) throws {
        if SystemClock.unixMilliseconds - loadedAtMs >= options.reloadMs { try reload() }
        try outputs.publishPending(context: context)
    }

    private func reload() throws {
        guard let db else { return }
        catalog = try PricingStore(db: db).loadCatalog()
        loadedAtMs = SystemClock.unixMilliseconds
    }
}
