/// Everything a worker needs to run, resolved once in `main` from flags and environment.
public struct WorkerSettings: Sendable {
    /// The worker kind: `persist`, `budget`, `anomaly` or `breaker`.
    public var kind: String
    /// A name for this instance in logs and dead-letter headers (default: kind-pid).
    public var instance: String
    public var amqpURL: String
    public var postgresURL: String?
    public var redisURL: String?
    /// The queue to consume; default `cost.usage.<kind>`.
    public var queue: String
    /// Routing key on `cost.dlx` for rejected messages; default the kind.
    public var deadLetterRoutingKey: String
    /// Whether to declare the standard topology at start (off for ad-hoc bench queues).
    public var declareTopology: Bool
    /// Unacknowledged messages the broker may hand this instance at once.
    public var prefetch: UInt16
    /// A batch closes at this many messages …
    public var batchSize: Int
    /// … or this long after its first message arrived, whichever comes first.
    public var batchMaxWait: Duration
    /// Longest pause between retries of a failing batch.
    public var maxBackoff: Duration
    /// After SIGTERM, how long a batch in hand may keep retrying before it is left unacked
    /// (the broker then redelivers it) and the worker exits.
    public var shutdownGrace: Duration
    /// Consume loops in this process, each with its own broker and database connections,
    /// competing on the queue like separate instances: one loop's database commit overlaps
    /// another's decoding and pricing.
    public var loops: Int
    /// Metrics and health endpoint; port 0 picks a free port, nil disables it.
    public var metricsHost: String
    public var metricsPort: Int?

    public init(kind: String, instance: String, amqpURL: String, postgresURL: String? = nil,
                redisURL: String? = nil, queue: String? = nil, deadLetterRoutingKey: String? = nil,
                declareTopology: Bool = true, prefetch: UInt16 = 2000, batchSize: Int = 1000,
                batchMaxWait: Duration = .milliseconds(50), maxBackoff: Duration = .seconds(5),
                shutdownGrace: Duration = .seconds(10), loops: Int = 2, metricsHost: String = "127.0.0.1", metricsPort: Int? = nil) {
        self.kind = kind
        self.instance = instance
        self.amqpURL = amqpURL
        self.postgresURL = postgresURL
        self.redisURL = redisURL
        self.queue = queue ?? Topology.queue(for: kind)
        self.deadLetterRoutingKey = deadLetterRoutingKey ?? kind
        self.declareTopology = declareTopology
        self.prefetch = prefetch
        self.batchSize = batchSize
        self.batchMaxWait = batchMaxWait
        self.maxBackoff = maxBackoff
        self.shutdownGrace = shutdownGrace
        self.loops = loops
        self.metricsHost = metricsHost
        self.metricsPort = metricsPort
    }
}
