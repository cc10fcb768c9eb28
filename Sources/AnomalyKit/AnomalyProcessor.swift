import CostCore
import CostStore
import Logging
import WorkerRuntime

/// The anomaly worker's batch step (being written).
public final class AnomalyProcessor: BatchProcessor {
    public init(postgresURL: String, redisURL: String, logger: Logger) {}
    public func connect() throws {}
    public func process(_ batch: [InboundEvent], context: WorkerContext) throws {}
    public func disconnect() {}
}
