import Metrics

/// The metrics every worker exports (Prometheus names in the README), through the
/// swift-metrics API; `main` bootstraps the Prometheus backend.
public final class WorkerMetrics: Sendable {
    public let received: Counter
    public let processed: Counter
    public let deadLettered: Counter
    public let retries: Counter
    public let batches: Counter
    public let batchDuration: Metrics.Timer
    /// Publish-to-commit lag of events whose publisher stamped `published_at_ms`.
    public let lag: Metrics.Timer
    public let lastCommitUnixSeconds: Gauge
    private let kind: String

    public init(kind: String) {
        self.kind = kind
        let d = [("kind", kind)]
        received = Counter(label: "cost_worker_messages_received_total", dimensions: d)
        processed = Counter(label: "cost_worker_events_processed_total", dimensions: d)
        deadLettered = Counter(label: "cost_worker_dead_lettered_total", dimensions: d)
        retries = Counter(label: "cost_worker_batch_retries_total", dimensions: d)
        batches = Counter(label: "cost_worker_batches_total", dimensions: d)
        batchDuration = Metrics.Timer(label: "cost_worker_batch_duration_seconds", dimensions: d, preferredDisplayUnit: .seconds)
        lag = Metrics.Timer(label: "cost_worker_publish_to_commit_seconds", dimensions: d, preferredDisplayUnit: .seconds)
        lastCommitUnixSeconds = Gauge(label: "cost_worker_last_commit_unixtime", dimensions: d)
    }

    /// A counter with the worker's kind and one more label, e.g. outcome=duplicate.
    public func counter(_ label: String, _ dimensions: [(String, String)] = []) -> Counter {
        Counter(label: label, dimensions: [("kind", kind)] + dimensions)
    }
}
