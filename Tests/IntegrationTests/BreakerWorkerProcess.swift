import Testing

/// One `cost-breaker` process under test, the way `BudgetWorkerProcess` runs `cost-budget`:
/// output to temporary log files that failure messages quote, URLs in the environment (flags
/// show up in `ps`). It connects as the `worker` user (COST_AMQP_URL), as in production, so
/// the broker's permissions are part of what is tested.
final class BreakerWorkerProcess: SpawnedWorker {
    /// Starts `cost-breaker` with the keys file at `keysFile`, no metrics endpoint.
    init(name: String, pgURL: String, redisURL: String, keysFile: String) throws {
        try super.init(executable: "cost-breaker", name: name, amqpURL: try IntegrationEnvironment.workerAMQPURL(),
                       pgURL: pgURL, redisURL: redisURL, arguments: ["--no-metrics", "--instance", name],
                       environment: ["COST_BREAKER_KEYS": keysFile])
    }

    /// Waits until the worker logs that it consumes both of its queues.
    func waitUntilConsuming(timeout: Duration = .seconds(20)) async throws {
        try await Waiting.until("\(name) consuming its queues", timeout: timeout, interval: .milliseconds(50),
                                diagnostics: { self.logTail }) {
            guard process.isRunning else { throw HarnessFailure("\(name) exited with \(process.terminationStatus)") }
            return (log.contains("consuming cost.signals.breaker and cost.control"), "not yet")
        }
    }
}
