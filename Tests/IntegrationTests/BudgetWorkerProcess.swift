/// One `cost-budget` process under test, as the admin user, on a scratch queue.
final class BudgetWorkerProcess: SpawnedWorker {
    /// Starts `cost-budget` on `queue` (which must exist) with one consume loop and no
    /// metrics endpoint; `extra` adds flags.
    init(name: String, queue: String, pgURL: String, redisURL: String, extra: [String] = []) throws {
        try super.init(executable: "cost-budget", name: name, amqpURL: try IntegrationEnvironment.adminAMQPURL(),
                       pgURL: pgURL, redisURL: redisURL,
                       arguments: ["--queue", queue, "--dead-letter-key", queue, "--loops", "1", "--no-metrics",
                                   "--instance", name] + extra)
    }
}
