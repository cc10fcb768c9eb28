/// One `cost-anomaly` process under test, as the admin user, on a scratch queue.
final class AnomalyWorkerProcess: SpawnedWorker {
    init(name: String, queue: String, pgURL: String, redisURL: String, extra: [String] = []) throws {
        try super.init(executable: "cost-anomaly", name: name, amqpURL: try IntegrationEnvironment.adminAMQPURL(),
                       pgURL: pgURL, redisURL: redisURL,
                       arguments: ["--queue", queue, "--dead-letter-key", queue, "--loops", "1", "--no-metrics",
                                   "--instance", name] + extra)
    }
}
