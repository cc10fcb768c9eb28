import AMQPClient
import CostCore
import Logging
import Metrics
import Synchronization

/// The consume loop every usage worker shares: collect a batch (size and time bound), decode
/// and validate each message, let the processor commit the valid ones, dead-letter the
/// invalid ones with their reason, and only then ack. A failing backend means backoff and
/// retry with the messages still unacked; nothing is dropped.
///
/// Runs on one dedicated thread (`run()` blocks). Invariant for `@unchecked Sendable`: every
/// stored property except `stopFlag` is touched only by the thread inside `run()`;
/// `requestStop()` only writes the atomic flag.
public final class ConsumeLoop: @unchecked Sendable {
    private let settings: WorkerSettings
    private let amqpConfig: AMQPConfig
    private let processor: BatchProcessor
    private let logger: Logger
    private let metrics: WorkerMetrics
    private let health: HealthState
    private let clock: @Sendable () -> Timestamp
    private let stopFlag = Atomic<Bool>(false)
    private var consumer: AMQPConnection?
    private var processorConnected = false
    private var lastHousekeeping: Int64 = 0
    private let context: WorkerContext
    public var housekeepingIntervalMs: Int64 = 2000
    /// Where the loop's time went (reported when it stops): waiting for and receiving
    /// messages, decoding, the processor's commit, dead-lettering and acking.
    private var spent: [String: Duration] = ["receive": .zero, "decode": .zero, "commit": .zero, "ack": .zero]

    private func measure<T>(_ phase: String, _ body: () throws -> T) rethrows -> T {
        let start = ContinuousClock.now
        defer { spent[phase, default: .zero] += ContinuousClock.now - start }
        return try body()
    }

    /// Thrown inside the loop when a stop was requested and the batch in hand could not be
    /// committed within the grace period: it is left unacked for redelivery.
    struct Abandoned: Error {}

    public init(settings: WorkerSettings, processor: BatchProcessor, logger: Logger, metrics: WorkerMetrics,
                health: HealthState, clock: @escaping @Sendable () -> Timestamp = SystemClock.now) throws(AMQPError) {
        self.settings = settings
        self.amqpConfig = try AMQPConfig(url: settings.amqpURL)
        self.processor = processor
        self.logger = logger
        self.metrics = metrics
        self.health = health
        self.clock = clock
        self.context = WorkerContext(settings: settings, logger: logger, metrics: metrics,
                                     publisher: ConfirmedPublisher(config: amqpConfig), clock: clock)
    }

    public func requestStop() {
        stopFlag.store(true, ordering: .relaxed)
        health.update { $0.stopping = true }
    }

    private var stopping: Bool { stopFlag.load(ordering: .relaxed) }

    /// Runs until `requestStop()`; returns normally then. Throws only a permanent error
    /// (bad credentials, refused topology, unmigrated database) that a retry cannot fix.
    public func run() throws {
        logger.info("consuming", metadata: ["queue": "\(settings.queue)", "broker": "\(amqpConfig.redactedURL)",
                                            "prefetch": "\(settings.prefetch)", "batch": "\(settings.batchSize)"])
        var backoff = Backoff(cap: settings.maxBackoff)
        defer { shutdown() }
        while !stopping {
            do {
                try connectIfNeeded()
                let deliveries = try measure("receive") { try collectBatch() }
                housekeepingIfDue(idle: deliveries.isEmpty)
                if !deliveries.isEmpty { try handle(deliveries) }
                backoff.reset()
            } catch is Abandoned {
                logger.warning("stopping with a batch uncommitted; the broker will redeliver it")
                dropConsumer()
            } catch {
                guard isRetriable(error) else {
                    health.update { $0.lastError = "\(error)" }
                    logger.error("stopping: \(error)")
                    throw error
                }
                health.update { $0.lastError = "\(error)"; $0.brokerConnected = consumer?.isOpen ?? false }
                let pause = backoff.next(unit: Double.random(in: 0..<1))
                logger.warning("will retry in \(pause): \(error)")
                if error is AMQPError { dropConsumer() } else { dropProcessor() }
                SystemClock.sleep(pause) { stopping }
            }
        }
        logger.info("stopped consuming", metadata: spent.mapValues { "\($0)" })
    }

    private func connectIfNeeded() throws {
        if consumer == nil || consumer?.isOpen == false {
            dropConsumer()
            let c = try AMQPConnection(config: amqpConfig)
            if settings.declareTopology { try Topology.declareUsageConsumer(kind: settings.kind, on: c) }
            try c.setPrefetch(settings.prefetch)
            try c.consume(queue: settings.queue, consumerTag: settings.instance)
            consumer = c
            health.update { $0.brokerConnected = true }
            logger.info("connected to the broker", metadata: ["queue": "\(settings.queue)"])
        }
        if !processorConnected {
            try processor.connect()
            processorConnected = true
            health.update { $0.backendsConnected = true; $0.lastError = nil }
        }
    }

    private func collectBatch() throws(AMQPError) -> [AMQPDelivery] {
        guard let consumer else { return [] }
        health.update { $0.lastLoopUnixSeconds = SystemClock.unixMilliseconds / 1000 }
        guard let first = try consumer.nextDelivery(timeout: .milliseconds(200)) else { return [] }
        var batch = [first]
        batch.reserveCapacity(settings.batchSize)
        let deadline = ContinuousClock.now + settings.batchMaxWait
        while batch.count < settings.batchSize {
            let left = deadline - ContinuousClock.now
            guard left > .zero, let next = try consumer.nextDelivery(timeout: left) else { break }
            batch.append(next)
        }
        return batch
    }

    private func handle(_ deliveries: [AMQPDelivery]) throws {
        let started = ContinuousClock.now
        let now = clock()
        var valid: [InboundEvent] = []
        var rejected: [(AMQPDelivery, [Violation])] = []
        var validDeliveries: [Int] = []  // positions in `deliveries` of the valid events
        valid.reserveCapacity(deliveries.count)
        validDeliveries.reserveCapacity(deliveries.count)
        let decodeStart = ContinuousClock.now
        for (position, d) in deliveries.enumerated() {
            switch UsageEventDecoder.decode(d.body, now: now) {
            case .success(let event):
                valid.append(InboundEvent(event: event, deliveryTag: d.deliveryTag, redelivered: d.redelivered,
                                          publishedAtMs: Self.publishedAtMs(d.properties)))
                validDeliveries.append(position)
            case .failure(let list):
                rejected.append((d, list.violations))
            }
        }
        spent["decode", default: .zero] += ContinuousClock.now - decodeStart
        metrics.received.increment(by: deliveries.count)
        let failures = try measure("commit", { try processIsolatingFailures(valid) })
        var byTag: [UInt64: AMQPDelivery] = [:]  // built only when some event failed
        if !failures.isEmpty {
            for position in validDeliveries { byTag[deliveries[position].deliveryTag] = deliveries[position] }
        }
        for (event, error) in failures {
            logger.error("event rejected by the processor", metadata: ["event_id": "\(event.event.eventID)", "error": "\(error)"])
            if let d = byTag[event.deliveryTag] {
                rejected.append((d, [Violation(field: "$", rule: "processing_failed", message: "\(error)")]))
            }
        }
        try measure("ack") {
            try deadLetter(rejected)
            try consumer?.ack(deliveries[deliveries.count - 1].deliveryTag, multiple: true)
        }

        let committedMs = SystemClock.unixMilliseconds
        for e in valid { if let p = e.publishedAtMs, committedMs >= p { metrics.lag.recordMilliseconds(committedMs - p) } }
        metrics.processed.increment(by: valid.count)
        metrics.batches.increment()
        metrics.batchDuration.recordInterval(since: started)
        metrics.lastCommitUnixSeconds.record(committedMs / 1000)
        health.update { $0.stored += Int64(valid.count); $0.deadLettered += Int64(rejected.count) }
    }

    /// Commits the batch, retrying transient failures; on a permanent failure splits the
    /// batch in halves until the events that fail on their own are found, and returns those.
    private func processIsolatingFailures(_ batch: [InboundEvent]) throws -> [(InboundEvent, any Error)] {
        guard !batch.isEmpty else { return [] }
        var backoff = Backoff(cap: settings.maxBackoff)
        var stopNoticed: ContinuousClock.Instant?
        while true {
            do {
                if !processorConnected { try processor.connect(); processorConnected = true }
                try processor.process(batch, context: context)
                health.update { $0.backendsConnected = true }
                return []
            } catch where isRetriable(error) {
                metrics.retries.increment()
                health.update { $0.backendsConnected = false; $0.lastError = "\(error)" }
                if stopping {
                    let since = stopNoticed ?? ContinuousClock.now
                    stopNoticed = since
                    if ContinuousClock.now - since > settings.shutdownGrace { throw Abandoned() }
                }
                let pause = backoff.next(unit: Double.random(in: 0..<1))
                logger.warning("batch of \(batch.count) not committed, retrying in \(pause): \(error)")
                dropProcessor()
                SystemClock.sleep(pause) { stopping && stopNoticed.map { ContinuousClock.now - $0 > settings.shutdownGrace } == true }
            } catch {
                if batch.count == 1 { return [(batch[0], error)] }
                let mid = batch.count / 2
                return try processIsolatingFailures(Array(batch[..<mid])) + processIsolatingFailures(Array(batch[mid...]))
            }
        }
    }

    private func deadLetter(_ rejected: [(AMQPDelivery, [Violation])]) throws {
        guard !rejected.isEmpty else { return }
        let now = clock()
        let letters = rejected.map {
            DeadLetter(delivery: $0.0, violations: $0.1, rejectedBy: settings.instance, sourceQueue: settings.queue, now: now)
        }
        var backoff = Backoff(cap: settings.maxBackoff)
        let stopStarted = ContinuousClock.now
        while true {
            do {
                for l in letters {
                    try context.publisher.publish(exchange: Topology.deadLetterExchange, routingKey: settings.deadLetterRoutingKey,
                                                  body: l.body, properties: l.properties)
                }
                try context.publisher.flush()
                metrics.deadLettered.increment(by: letters.count)
                for (d, v) in rejected {
                    logger.debug("dead-lettered", metadata: ["message_id": "\(d.properties.messageID ?? "-")",
                                                             "field": "\(v.first?.field ?? "")", "rule": "\(v.first?.rule ?? "")"])
                }
                return
            } catch {
                let failure: any Error = error
                guard isRetriable(failure) else { throw failure }
                if stopping && ContinuousClock.now - stopStarted > settings.shutdownGrace { throw Abandoned() }
                let pause = backoff.next(unit: Double.random(in: 0..<1))
                logger.warning("dead-lettering \(letters.count) messages failed, retrying in \(pause): \(failure)")
                SystemClock.sleep(pause) { stopping }
            }
        }
    }

    private func housekeepingIfDue(idle: Bool) {
        let nowMs = SystemClock.unixMilliseconds
        guard processorConnected, nowMs - lastHousekeeping >= housekeepingIntervalMs else { return }
        lastHousekeeping = nowMs
        context.publisher.keepAlive()
        do {
            try processor.housekeeping(context: context)
        } catch {
            logger.warning("housekeeping failed: \(error)")
            if isRetriable(error) { dropProcessor() }
        }
    }

    private func dropConsumer() {
        consumer?.close()
        consumer = nil
        health.update { $0.brokerConnected = false }
    }

    private func dropProcessor() {
        processor.disconnect()
        processorConnected = false
    }

    private func shutdown() {
        dropProcessor()
        dropConsumer()
        context.publisher.close()
    }

    static func publishedAtMs(_ properties: AMQPProperties) -> Int64? {
        switch properties.headers["published_at_ms"] {
        case .int(let v): return v
        case .string(let s): return Int64(s)
        case .timestamp(let t): return Int64(t) * 1000
        default: return nil
        }
    }
}

extension Metrics.Timer {
    func recordMilliseconds(_ ms: Int64) { recordNanoseconds(ms * 1_000_000) }
    func recordInterval(since start: ContinuousClock.Instant) {
        let (s, atto) = (ContinuousClock.now - start).components
        recordNanoseconds(s * 1_000_000_000 + atto / 1_000_000_000)
    }
}
