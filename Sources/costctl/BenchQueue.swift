import AMQPClient
import AgentSDK
import ArgumentParser
import WorkerRuntime

/// A scratch quorum queue for a benchmark, deleted by `close()`.
final class BenchQueue {
    let name: String
    private let adminURL: String
    private let admin: AMQPConnection

    init(name: String, adminURL: String) throws {
        self.name = name
        self.adminURL = adminURL
        admin = try AMQPConnection(config: try AMQPConfig(url: adminURL))
        try admin.declareQueue(name, arguments: ["x-queue-type": .string("quorum")])
        try admin.purgeQueue(name)
    }

    /// A publisher that sends straight to this queue (default exchange), with confirms.
    func publisher(bufferLimit: Int = 100_000) throws -> UsagePublisher {
        var options = UsagePublisher.Options()
        options.exchange = ""
        options.routingKeyOverride = name
        options.bufferLimit = bufferLimit
        return try UsagePublisher(url: adminURL, options: options, clock: SystemClock.now)
    }

    /// Publishes `count` simulated events with confirms; returns the seconds it took.
    @discardableResult
    func prefill(count: Int, seed: UInt64, runID: String) throws -> Double {
        let publisher = try publisher(bufferLimit: count + 1)
        var fleet = SimulatedFleet(agents: 200, seed: seed, runID: runID)
        progress("pre-filling \(name) with \(count) events…")
        let fill = try drive(publisher: publisher, fleet: &fleet, rate: 1_000_000, count: count, duration: nil, quiet: true)
        guard publisher.flush(timeout: .seconds(120)) else { throw ValidationError("the broker did not confirm the pre-fill") }
        publisher.close()
        return fill.seconds
    }

    func close() {
        _ = try? admin.deleteQueue(name)
        admin.close()
    }
}
