import AMQPClient
import AgentSDK
import CostCore
import Testing

/// The agent SDK's publisher against a real broker, and with the broker away.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct UsagePublisherTests {
    static let clock: @Sendable () -> Timestamp = { Timestamp(secondsSinceEpoch: 1_795_000_000) }

    func events(_ count: Int, run: String) -> [UsageEvent] {
        var fleet = SimulatedFleet(agents: 20, seed: 3, runID: run)
        return (0..<count).map { _ in fleet.next(at: Self.clock()) }
    }

    @Test func buffersWhileTheBrokerIsAwayAndRefusesPastItsLimit() throws {
        var options = UsagePublisher.Options()
        options.bufferLimit = 50
        let url = "amqp://agent:secret@127.0.0.1:\(RedisTestSupport.closedLocalPort())/costtracker"
        let publisher = try UsagePublisher(url: url, options: options, clock: Self.clock)
        for event in events(50, run: "away") { try publisher.publish(event) }
        #expect(publisher.buffered == 50)
        #expect(!publisher.isConnected)
        #expect(publisher.lastError?.isRetriable == true)
        #expect(!(publisher.lastError?.description.contains("secret") ?? true))
        let overflow = #expect(throws: PublishError.self) { try publisher.publish(events(1, run: "extra")[0]) }
        #expect(overflow?.kind == .bufferFull)
        #expect(overflow?.message.contains("buffer is full") == true)
        #expect(!publisher.flush(timeout: .milliseconds(300)))
    }

    @Test func everyEventIsConfirmedAndArrivesAsTheContractSays() throws {
        let admin = try AMQPTestSupport.admin()
        let queue = try AMQPTestSupport.declareTemporaryQueue(admin, AMQPTestSupport.uniqueName("sdk"))
        defer { AMQPTestSupport.deleteQueues(queue) }
        var options = UsagePublisher.Options()
        options.exchange = ""
        options.routingKeyOverride = queue
        options.window = 100
        let publisher = try UsagePublisher(url: try AMQPTestSupport.requiredEnv("COST_ADMIN_AMQP_URL"),
                                           options: options, clock: Self.clock)
        let sent = events(3000, run: "sdk-\(UInt32.random(in: 0...UInt32.max))")
        for event in sent { try publisher.publish(event) }
        #expect(publisher.flush(timeout: .seconds(20)))
        #expect(publisher.buffered == 0)
        #expect(try admin.declareQueue(queue, durable: false, passive: true).messageCount == 3000)

        let first = try #require(try admin.get(queue: queue))
        #expect(first.properties.messageID == sent[0].eventID)
        #expect(first.properties.contentType == "application/json")
        #expect(first.properties.persistent)
        #expect(first.properties.headers["published_at_ms"] == .int(1_795_000_000_000))
        let decoded = try UsageEventDecoder.decode(first.body, now: Self.clock()).get()
        #expect(decoded == sent[0])
        publisher.close()
    }
}
