import AMQPClient
import CostCore
import CostStore
import Logging
import PostgresClient
import RedisClient
import Synchronization
import WorkerRuntime

/// The breaker worker's loop: consumes signals (`cost.signals.breaker`) and signed commands
/// (`cost.control`) one message at a time, applies them, acks; once a second it ticks every
/// known breaker (overrides expire, cooldowns end, half-open windows close). Runs on its own
/// thread. Invariant for `@unchecked Sendable`: only `stopFlag` is touched from other threads.
public final class BreakerLoop: BlockingRunLoop, @unchecked Sendable {
    public static let signalsQueue = "cost.signals.breaker"
    public static let controlQueue = "cost.control"

    private let settings: WorkerSettings
    private let amqpConfig: AMQPConfig
    private let logger: Logger
    private let health: HealthState
    private let config: BreakerConfig
    private let commands: CommandHandler
    private let stopFlag = Atomic<Bool>(false)
    private var consumer: AMQPConnection?
    private var redis: RedisConnection?
    private var db: PGConnection?
    private var engine: BreakerEngine?
    private let publisher: ConfirmedPublisher
    private var lastTickMs: Int64 = 0

    public init(settings: WorkerSettings, keysFile: String?, logger: Logger, health: HealthState,
                config: BreakerConfig = BreakerConfig()) throws {
        self.settings = settings
        self.amqpConfig = try AMQPConfig(url: settings.amqpURL)
        self.logger = logger
        self.health = health
        self.config = config
        self.commands = try CommandHandler(keysPath: keysFile, logger: logger)
        self.publisher = ConfirmedPublisher(config: amqpConfig)
    }

    public func requestStop() {
        stopFlag.store(true, ordering: .relaxed)
        health.update { $0.stopping = true }
    }

    private var stopping: Bool { stopFlag.load(ordering: .relaxed) }

    public func run() throws {
        var backoff = Backoff(cap: settings.maxBackoff)
        defer { disconnect() }
        while !stopping {
            do {
                try connectIfNeeded()
                if let d = try consumer?.nextDelivery(timeout: .milliseconds(200)) {
                    try handle(d)
                    try consumer?.ack(d.deliveryTag)
                }
                try tickIfDue()
                backoff.reset()
            } catch {
                guard isRetriable(error) else {
                    logger.error("stopping: \(error)")
                    throw error
                }
                let pause = backoff.next(unit: Double.random(in: 0..<1))
                logger.warning("will retry in \(pause): \(error)")
                health.update { $0.lastError = "\(error)"; $0.brokerConnected = false; $0.backendsConnected = false }
                disconnect()
                SystemClock.sleep(pause) { stopping }
            }
        }
    }

    private func connectIfNeeded() throws {
        if db == nil || db?.isOpen == false {
            let db = try PGConnection(url: settings.postgresURL ?? "", applicationName: "cost-breaker")
            try Migrator.requireCurrent(db)
            self.db = db
        }
        if redis == nil || redis?.isOpen == false {
            redis = try RedisConnection(config: try RedisConfig(url: settings.redisURL ?? ""))
        }
        if let redis, let db, engine == nil {
            engine = BreakerEngine(redis: redis, db: db, config: config, logger: logger, worker: settings.instance)
        }
        if consumer == nil || consumer?.isOpen == false {
            let c = try AMQPConnection(config: amqpConfig)
            try c.declareExchange(Topology.signalsExchange, type: "topic")
            try c.declareExchange(Topology.deadLetterExchange, type: "direct")
            try c.declareQueue(Self.signalsQueue, arguments: ["x-queue-type": .string("quorum")])
            try c.bindQueue(Self.signalsQueue, exchange: Topology.signalsExchange, routingKey: "#")
            try c.declareQueue(Self.controlQueue, arguments: ["x-queue-type": .string("quorum")])
            try c.declareQueue(Topology.deadLetterQueue(for: "breaker"), arguments: ["x-queue-type": .string("quorum")])
            try c.bindQueue(Topology.deadLetterQueue(for: "breaker"), exchange: Topology.deadLetterExchange, routingKey: "breaker")
            try c.setPrefetch(100)
            try c.consume(queue: Self.signalsQueue, consumerTag: settings.instance + "-signals")
            try c.consume(queue: Self.controlQueue, consumerTag: settings.instance + "-control")
            consumer = c
            logger.info("consuming \(Self.signalsQueue) and \(Self.controlQueue)")
        }
        health.update { $0.brokerConnected = true; $0.backendsConnected = true; $0.lastError = nil }
    }

    private func handle(_ d: AMQPDelivery) throws {
        guard let engine, let db else { return }
        let nowMs = SystemClock.unixMilliseconds
        health.update { $0.lastLoopUnixSeconds = nowMs / 1000; $0.stored += 1 }
        if d.exchange == Topology.controlExchange || (d.exchange.isEmpty && d.routingKey == Self.controlQueue) {
            commands.reloadKeysQuietly()
            do {
                try commands.handle(d, engine: engine, db: db, nowMs: nowMs, worker: settings.instance)
            } catch let error as BreakerError {
                try deadLetter(d, Violation(field: "scope", rule: "unreadable_state", message: "\(error)"), queue: Self.controlQueue)
            }
            return
        }
        do {
            let signal = try BreakerSignal.decode(d.body, nowMs: nowMs)
            try engine.apply(signal.event, to: signal.scope, evidence: signal.evidence)
        } catch let error as BreakerError {
            try deadLetter(d, Violation(field: "scope", rule: "unreadable_state", message: "\(error)"))
        } catch let problem as BreakerSignal.Problem {
            switch problem {
            case .noBreakerForScope(let scope):
                logger.info("signal for scope \(scope), which has no breaker (only global, provider:, agent:); alert only")
            case .invalid(let why):
                try deadLetter(d, Violation(field: "$", rule: "invalid_signal", message: why))
            }
        }
    }

    private func deadLetter(_ d: AMQPDelivery, _ v: Violation, queue: String = BreakerLoop.signalsQueue) throws {
        let letter = DeadLetter(delivery: d, violations: [v], rejectedBy: settings.instance, sourceQueue: queue,
                                now: SystemClock.now())
        try publisher.publish(exchange: Topology.deadLetterExchange, routingKey: "breaker", body: letter.body,
                              properties: letter.properties)
        try publisher.flush()
        health.update { $0.deadLettered += 1 }
    }

    private func tickIfDue() throws {
        let nowMs = SystemClock.unixMilliseconds
        guard nowMs - lastTickMs >= 1000, let engine else { return }
        lastTickMs = nowMs
        health.update { $0.lastLoopUnixSeconds = nowMs / 1000 }
        for scope in try engine.knownScopes() { try engine.tick(scope, nowMs: nowMs) }
    }

    private func disconnect() {
        consumer?.close()
        consumer = nil
        redis?.close()
        redis = nil
        db?.close()
        db = nil
        engine = nil
        publisher.close()
    }
}
