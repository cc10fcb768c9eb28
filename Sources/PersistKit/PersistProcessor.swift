import CostCore
import CostStore
import Logging
import Metrics
import PostgresClient
import WorkerRuntime

/// The persist worker's batch step: price each event with the catalog in force at its
/// `occurred_at`, then store the batch exactly once per event_id with its aggregates.
public final class PersistProcessor: BatchProcessor {
    private let postgresURL: String
    private let logger: Logger
    private var db: PGConnection?
    private var recorder: EventRecorder?
    private var catalog = PricingCatalog(prices: [])
    private var catalogLoadedAtMs: Int64 = 0
    /// Unpriced models ("provider model") whose one alert is known to have gone out, so a batch
    /// of them skips the look-up. Housekeeping still looks every few seconds.
    private var alertedModels = Set<String>()
    /// How often the catalog is re-read, so price changes reach running workers.
    public var catalogRefreshMs: Int64 = 30_000
    private let stored = Counter(label: "cost_persist_events_total", dimensions: [("outcome", "stored")])
    private let duplicates = Counter(label: "cost_persist_events_total", dimensions: [("outcome", "duplicate")])
    private let unpriced = Counter(label: "cost_persist_unpriced_events_total")
    private let mismatches = Counter(label: "cost_persist_cost_mismatch_total")
    private let appendedBatches = Counter(label: "cost_persist_batches_total", dimensions: [("path", "append")])
    private let claimedBatches = Counter(label: "cost_persist_batches_total", dimensions: [("path", "claim")])

    public init(postgresURL: String, logger: Logger) {
        self.postgresURL = postgresURL
        self.logger = logger
    }

    public func connect() throws {
        let db = try PGConnection(url: postgresURL, applicationName: "cost-persist")
        try Migrator.requireCurrent(db)
        self.db = db
        recorder = EventRecorder(db: db)
        try reloadCatalog()
    }

    public func disconnect() {
        db?.close()
        db = nil
        recorder = nil
    }

    public func process(_ batch: [InboundEvent], context: WorkerContext) throws {
        guard let recorder else {
            throw StoreError(code: .database, message: "not connected to PostgreSQL", isRetriable: true)
        }
        var priced: [PricedEvent] = []
        priced.reserveCapacity(batch.count)
        var unpricedCount = 0, mismatchCount = 0
        var unpricedModels = Set<String>()
        for inbound in batch {
            let cost = CostCalculator.price(inbound.event, catalog: catalog)
            if cost.unpriced {
                unpricedCount += 1
                unpricedModels.insert(inbound.event.provider + " " + inbound.event.model)
            }
            if cost.costMismatch { mismatchCount += 1 }
            priced.append(PricedEvent(event: inbound.event, cost: cost))
        }
        let outcome = try recorder.record(priced)
        stored.increment(by: outcome.inserted)
        duplicates.increment(by: outcome.duplicates)
        unpriced.increment(by: unpricedCount)
        mismatches.increment(by: mismatchCount)
        switch outcome.path {
        case .append: appendedBatches.increment()
        case .claim: claimedBatches.increment()
        case .none: break
        }
        if outcome.duplicates > 0 {
            logger.debug("duplicates ignored", metadata: ["count": "\(outcome.duplicates)"])
        }
        if outcome.sawUnpricedModel && !unpricedModels.isSubset(of: alertedModels) {
            try sendUnpricedAlerts(context: context)
            // Every model still awaiting its alert was just alerted; the others already were.
            alertedModels.formUnion(unpricedModels)
        }
    }

    public func housekeeping(context: WorkerContext) throws {
        if SystemClock.unixMilliseconds - catalogLoadedAtMs >= catalogRefreshMs { try reloadCatalog() }
        try recorder?.foldAggregates()
        try sendUnpricedAlerts(context: context)
    }

    private func reloadCatalog() throws {
        guard let db else { return }
        let fresh = try PricingStore(db: db).loadCatalog()
        if fresh.entries.isEmpty && catalogLoadedAtMs == 0 {
            logger.warning("the pricing table is empty, so every event is priced by the conservative fallback: run `costctl pricing import ops/pricing/catalog.json`")
        }
        catalog = fresh
        catalogLoadedAtMs = SystemClock.unixMilliseconds
    }

    /// One alert per model without a catalog price, at least once: marked sent only after
    /// the broker confirmed it.
    private func sendUnpricedAlerts(context: WorkerContext) throws {
        guard let recorder else { return }
        for m in try recorder.modelsAwaitingAlert() {
            let body = JSONValue.object([
                ("schema", .string("cost.alert.v1")), ("kind", .string("unpriced_model")),
                ("provider", .string(m.provider)), ("model", .string(m.model)), ("first_seen_at", .string(m.firstSeen)),
                ("message", .string("model \(m.provider)/\(m.model) has no catalog price; its events count at the reported "
                    + "cost or the provider's most expensive prices until you add a price and re-price")),
            ]).serialized()
            try context.publishConfirmed(exchange: Topology.alertsExchange, routingKey: "alert.unpriced_model",
                                         body: Array(body.utf8))
            try recorder.markAlerted(provider: m.provider, model: m.model)
            logger.warning("unpriced model seen; alert sent", metadata: ["provider": "\(m.provider)", "model": "\(m.model)"])
        }
    }
}
