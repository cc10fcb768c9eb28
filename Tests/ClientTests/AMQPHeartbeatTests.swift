import Testing
import AMQPClient
#if canImport(Glibc)
import Glibc
#endif

extension AMQPIntegrationTests {
    /// Heartbeats (1 s here) keep a connection alive only while its owner calls into it.
    @Suite struct Heartbeats {
        private func config() throws -> AMQPConfig {
            var config = try AMQPTestSupport.adminConfig()
            config.heartbeatSeconds = 1
            return config
        }

        @Test func anIdleConsumerWaitingForDeliveriesStaysConnected() throws {
            let queue = AMQPTestSupport.uniqueName("heartbeat")
            defer { AMQPTestSupport.deleteQueues(queue) }
            let consumer = try AMQPConnection(config: try config())
            try AMQPTestSupport.declareTemporaryQueue(consumer, queue)
            try consumer.consume(queue: queue)
            for _ in 0..<8 {
                #expect(try consumer.nextDelivery(timeout: .milliseconds(500)) == nil)
            }
            #expect(consumer.isOpen)
            let publisher = try AMQPTestSupport.admin()
            try publisher.publish(exchange: "", routingKey: queue, body: [7])
            let delivery = try #require(try consumer.nextDelivery(timeout: .seconds(5)))
            #expect(delivery.body == [7])
            try consumer.ack(delivery.deliveryTag)
        }

        @Test func anIdlePublisherPollingConfirmsStaysConnected() throws {
            let publisher = try AMQPConnection(config: try config())
            try publisher.enableConfirms()
            for _ in 0..<8 {
                usleep(500_000)
                #expect(try publisher.pollConfirms() == 0)
            }
            let queue = AMQPTestSupport.uniqueName("heartbeat")
            defer { AMQPTestSupport.deleteQueues(queue) }
            try AMQPTestSupport.declareTemporaryQueue(publisher, queue)
            try publisher.publish(exchange: "", routingKey: queue, body: [1])
            try publisher.waitForConfirms(timeout: .seconds(5))
        }

        @Test func aPublisherSilentPastTheHeartbeatGetsARetriableError() throws {
            let publisher = try AMQPConnection(config: try config())
            try publisher.enableConfirms()
            sleep(5)  // no calls: no heartbeats sent, so the broker drops the connection
            var failure: AMQPError?
            do {
                try publisher.publish(exchange: "", routingKey: AMQPTestSupport.uniqueName("nowhere"), body: [1])
                try publisher.waitForConfirms(timeout: .seconds(5))
            } catch {
                failure = error
            }
            let error = try #require(failure, "a publish on a dropped connection was reported as confirmed")
            #expect(error.isRetriable)
            #expect(!publisher.isOpen)
        }
    }
}
