import Foundation
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

/// Bootstraps logging and metrics, then runs the consume loop and the metrics/health server
/// until SIGTERM or SIGINT. Returns the process exit code.
public enum WorkerMain {
    public static func run(settings: WorkerSettings, logLevel: Logger.Level,
                           makeProcessor: (Logger) throws -> BatchProcessor) async -> Int32 {
        await run(settings: settings, logLevel: logLevel) { logger, metrics, health in
            try (0..<max(1, settings.loops)).map { index in
                var loopLogger = logger
                loopLogger[metadataKey: "loop"] = "\(index)"
                return try ConsumeLoop(settings: settings, processor: try makeProcessor(loopLogger), logger: loopLogger,
                                       metrics: metrics, health: health)
            }
        }
    }

    /// The same for workers with loops of their own kind.
    public static func run(settings: WorkerSettings, logLevel: Logger.Level,
                           makeLoops: (Logger, WorkerMetrics, HealthState) throws -> [any BlockingRunLoop]) async -> Int32 {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = logLevel
            return handler
        }
        var logger = Logger(label: "cost.\(settings.kind)")
        logger[metadataKey: "instance"] = "\(settings.instance)"
        logger.info("starting", metadata: ["allocator": "\(Allocator.description)"])
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))

        let health = HealthState()
        do {
            let metrics = WorkerMetrics(kind: settings.kind)
            var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
            for loop in try makeLoops(logger, metrics, health) {
                services.append(.init(service: ConsumerService(loop: loop),
                                      successTerminationBehavior: .gracefullyShutdownGroup,
                                      failureTerminationBehavior: .gracefullyShutdownGroup))
            }
            if let port = settings.metricsPort {
                let log = logger
                let host = settings.metricsHost
                services.append(.init(service: ObservabilityServer.make(
                    host: host, port: port, registry: registry, health: health, logger: logger,
                    onBound: { log.info("metrics and health on http://\(host):\($0)/metrics /healthz /readyz") })))
            }
            let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint],
                                                          logger: logger))
            try await group.run()
            logger.info("exited cleanly")
            return 0
        } catch {
            logger.critical("\(error)")
            FileHandle.standardError.write(Data("cost-\(settings.kind): \(error)\n".utf8))
            return 1
        }
    }
}
