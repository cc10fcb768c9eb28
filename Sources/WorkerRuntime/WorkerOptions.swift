import ArgumentParser
import Foundation
import Logging

/// The flags every worker accepts. Each falls back to an environment variable, then to a
/// documented default; URLs are best given in the environment (flags show up in `ps`).
public struct WorkerOptions: ParsableArguments {
    @Option(name: .customLong("amqp-url"), help: "RabbitMQ URL, amqp://user:password@host:port/vhost (env COST_AMQP_URL).")
    public var amqpURL: String?

    @Option(name: .customLong("pg-url"), help: "PostgreSQL URL, postgresql://user:password@host:port/db (env COST_PG_URL).")
    public var postgresURL: String?

    @Option(name: .customLong("redis-url"), help: "Redis URL, redis://:password@host:port/db (env COST_REDIS_URL).")
    public var redisURL: String?

    @Option(help: "Queue to consume (env COST_QUEUE; default cost.usage.<kind>). A queue other than the default is not declared: it must exist.")
    public var queue: String?

    @Option(name: .customLong("dead-letter-key"), help: "Routing key of rejected messages on cost.dlx (env COST_DEAD_LETTER_KEY; default <kind>).")
    public var deadLetterKey: String?

    @Option(help: "Unacked messages the broker may hand this instance (env COST_PREFETCH; default 2000).")
    public var prefetch: UInt16?

    @Option(name: .customLong("batch-size"), help: "Largest batch committed at once (env COST_BATCH_SIZE; default 1000).")
    public var batchSize: Int?

    @Option(name: .customLong("batch-wait-ms"), help: "Longest wait to fill a batch, in ms (env COST_BATCH_WAIT_MS; default 50).")
    public var batchWaitMs: Int?

    @Option(help: "Consume loops in this process, each with its own connections (env COST_LOOPS; default 2).")
    public var loops: Int?

    @Option(name: .customLong("metrics-port"), help: "Port of /metrics, /healthz, /readyz; 0 = any free port (env COST_METRICS_PORT; -1 there = off).")
    public var metricsPort: Int?

    @Flag(name: .customLong("no-metrics"), help: "Serve no metrics or health endpoint.")
    public var noMetrics = false

    @Option(name: .customLong("metrics-host"), help: "Address the metrics endpoint binds (env COST_METRICS_HOST; default 127.0.0.1).")
    public var metricsHost: String?

    @Option(help: "Name of this instance in logs and dead-letter headers (env COST_INSTANCE; default <kind>-<pid>).")
    public var instance: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (env COST_LOG_LEVEL; default info).")
    public var logLevel: String?

    public init() {}

    /// Flags first, then the environment, then defaults (a worker kind may have its own batch
    /// size and prefetch defaults). Throws a `ValidationError` that names the missing setting.
    public func settings(kind: String, defaultMetricsPort: Int, needsPostgres: Bool, needsRedis: Bool,
                         defaultBatchSize: Int = 1000, defaultPrefetch: UInt16 = 2000,
                         environment: [String: String] = ProcessInfo.processInfo.environment) throws -> WorkerSettings {
        func pick(_ flag: String?, _ env: String) -> String? {
            if let flag, !flag.isEmpty { return flag }
            if let v = environment[env], !v.isEmpty { return v }
            return nil
        }
        func number<T: FixedWidthInteger>(_ flag: T?, _ env: String, _ fallback: T) throws -> T {
            if let flag { return flag }
            guard let text = environment[env], !text.isEmpty else { return fallback }
            guard let v = T(text) else { throw ValidationError("\(env)=\(text) is not a whole number") }
            return v
        }
        guard let amqp = pick(amqpURL, "COST_AMQP_URL") else {
            throw ValidationError("no broker given: set COST_AMQP_URL (or --amqp-url); `ops/servers env` prints the local one")
        }
        let pg = pick(postgresURL, "COST_PG_URL")
        if needsPostgres && pg == nil {
            throw ValidationError("no database given: set COST_PG_URL (or --pg-url); `ops/servers env` prints the local one")
        }
        let redis = pick(redisURL, "COST_REDIS_URL")
        if needsRedis && redis == nil {
            throw ValidationError("no Redis given: set COST_REDIS_URL (or --redis-url); `ops/servers env` prints the local one")
        }
        let batch = try number(batchSize, "COST_BATCH_SIZE", defaultBatchSize)
        guard (1...10_000).contains(batch) else { throw ValidationError("batch size must be 1…10000, got \(batch)") }
        let prefetchValue = try number(prefetch, "COST_PREFETCH", defaultPrefetch)
        guard prefetchValue >= 1 else { throw ValidationError("prefetch must be at least 1") }
        let wait = try number(batchWaitMs, "COST_BATCH_WAIT_MS", 50)
        guard (0...60_000).contains(wait) else { throw ValidationError("batch wait must be 0…60000 ms, got \(wait)") }
        let port = try number(metricsPort, "COST_METRICS_PORT", defaultMetricsPort)
        let loopCount = try number(loops, "COST_LOOPS", 2)
        guard (1...32).contains(loopCount) else { throw ValidationError("loops must be 1…32, got \(loopCount)") }
        return WorkerSettings(
            kind: kind, instance: pick(instance, "COST_INSTANCE") ?? "\(kind)-\(ProcessInfo.processInfo.processIdentifier)",
            amqpURL: amqp, postgresURL: pg, redisURL: redis, queue: pick(queue, "COST_QUEUE"),
            deadLetterRoutingKey: pick(deadLetterKey, "COST_DEAD_LETTER_KEY"),
            declareTopology: (pick(queue, "COST_QUEUE") ?? Topology.queue(for: kind)) == Topology.queue(for: kind),
            prefetch: prefetchValue, batchSize: batch, batchMaxWait: .milliseconds(wait), loops: loopCount,
            metricsHost: pick(metricsHost, "COST_METRICS_HOST") ?? "127.0.0.1", metricsPort: port < 0 || noMetrics ? nil : port)
    }

    public func resolvedLogLevel(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Logger.Level {
        let text = logLevel ?? environment["COST_LOG_LEVEL"] ?? "info"
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            throw ValidationError("unknown log level '\(text)': use trace, debug, info, notice, warning, error or critical")
        }
        return level
    }
}
