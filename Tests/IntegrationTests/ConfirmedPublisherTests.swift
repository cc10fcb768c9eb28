import AMQPClient
import Foundation
import Testing
import WorkerRuntime

/// The workers' publishing connection (`ConfirmedPublisher`) against the real broker, with
/// 1-second heartbeats so that idleness shows within seconds.
@Suite("Confirmed publisher", .serialized, .timeLimit(.minutes(2)))
struct ConfirmedPublisherTests {
    static func config() throws -> AMQPConfig {
        var config = try AMQPConfig(url: try IntegrationEnvironment.adminAMQPURL())
        config.heartbeatSeconds = 1
        return config
    }

    static func publishAndConfirm(_ publisher: ConfirmedPublisher, to queue: String, _ byte: UInt8) throws {
        try publisher.publish(exchange: "", routingKey: queue, body: [byte], properties: AMQPProperties())
        try publisher.flush()
    }

    @Test("an idle publisher kept alive by housekeeping still publishes after five heartbeat intervals; without it the broker drops the connection")
    func keepAliveSpansIdleness() throws {
        let admin = try AMQPConnection(config: try ScratchQueues.adminConfig())
        defer { admin.close() }
        let queue = "it.publisher.\(IntegrationEnvironment.uniqueSuffix())"
        try admin.declareQueue(queue, arguments: ["x-queue-type": .string("quorum")])
        defer { try? admin.deleteQueue(queue) }

        let kept = ConfirmedPublisher(config: try Self.config())
        defer { kept.close() }
        try Self.publishAndConfirm(kept, to: queue, 1)
        for _ in 0..<10 {  // what the consume loop's housekeeping does while no batch arrives
            usleep(500_000)
            kept.keepAlive()
        }
        try Self.publishAndConfirm(kept, to: queue, 2)

        // The same silence without keepAlive: the first publish after it fails (retriable),
        // which is what a worker logged as a batch not committed before.
        let silent = ConfirmedPublisher(config: try Self.config())
        defer { silent.close() }
        try Self.publishAndConfirm(silent, to: queue, 3)
        sleep(5)
        #expect(throws: AMQPError.self) { try Self.publishAndConfirm(silent, to: queue, 4) }
        try Self.publishAndConfirm(silent, to: queue, 5)  // and it reconnects on the next one

        #expect(try admin.declareQueue(queue, passive: true).messageCount == 4, "messages 1, 2, 3 and 5")
    }
}
