import Testing
import AMQPClient
#if canImport(Glibc)
import Glibc
#endif

extension AMQPIntegrationTests {
    /// Publish with confirms, consume, ack, nack, get: what producers and workers rely on.
    @Suite struct Messaging {
        @Test func thousandMessagesRoundTripWithPropertiesAndHeaders() throws {
            let exchange = AMQPTestSupport.uniqueName("exchange")
            let queue = AMQPTestSupport.uniqueName("roundtrip")
            defer {
                AMQPTestSupport.deleteQueues(queue)
                if let admin = try? AMQPTestSupport.admin() { try? admin.deleteExchange(exchange) }
            }
            let publisher = try AMQPTestSupport.admin()
            try publisher.declareExchange(exchange, type: "topic", durable: false)
            try AMQPTestSupport.declareTemporaryQueue(publisher, queue)
            try publisher.bindQueue(queue, exchange: exchange, routingKey: "usage.#")
            try publisher.enableConfirms()

            func properties(_ index: Int) -> AMQPProperties {
                AMQPProperties(
                    contentType: "application/json", messageID: "evt-\(index)", correlationID: "corr-\(index)",
                    type: "cost.usage.v1", appID: "amqp-tests", persistent: index % 2 == 0,
                    timestamp: 1_764_219_600 + UInt64(index),
                    headers: [
                        "index": .int(Int64(index)), "signed": .bool(true), "note": .string("grüße"),
                        "raw": .bytes([0xFF, UInt8(index % 256)]), "at": .timestamp(UInt64(index)),
                        "nested": .table(["list": .array([.int(-1), .string("x"), .void])]),
                    ])
            }
            for index in 0..<1000 {
                let sequence = try publisher.publish(
                    exchange: exchange, routingKey: "usage.test", body: AMQPTestSupport.body(index),
                    properties: properties(index))
                #expect(sequence == UInt64(index + 1))
            }
            try publisher.waitForConfirms(timeout: .seconds(10))
            #expect(publisher.unconfirmedCount == 0)
            #expect(try publisher.pollConfirms() == 0)
            #expect(try publisher.declareQueue(queue, passive: true).messageCount == 1000)

            let consumer = try AMQPTestSupport.admin()
            try consumer.setPrefetch(200)
            let tag = try consumer.consume(queue: queue)
            #expect(!tag.isEmpty)
            for index in 0..<1000 {
                let delivery = try #require(try consumer.nextDelivery(timeout: .seconds(5)), "message \(index) missing")
                #expect(delivery.body == AMQPTestSupport.body(index))
                #expect(delivery.properties == properties(index))
                #expect(delivery.exchange == exchange)
                #expect(delivery.routingKey == "usage.test")
                #expect(!delivery.redelivered)
                try consumer.ack(delivery.deliveryTag)
            }
            #expect(try consumer.nextDelivery(timeout: .milliseconds(100)) == nil)
            consumer.close()
            #expect(!consumer.isOpen)
            consumer.close()  // idempotent
            #expect(try publisher.declareQueue(queue, passive: true).messageCount == 0)
        }

        @Test func unackedMessagesComeBackRedeliveredAfterTheConsumerCloses() throws {
            let queue = AMQPTestSupport.uniqueName("redeliver")
            defer { AMQPTestSupport.deleteQueues(queue) }
            let admin = try AMQPTestSupport.admin()
            try AMQPTestSupport.declareTemporaryQueue(admin, queue)
            for index in 0..<3 {
                try admin.publish(exchange: "", routingKey: queue, body: AMQPTestSupport.body(index))
            }

            let first = try AMQPTestSupport.admin()
            try first.consume(queue: queue)
            for index in 0..<3 {
                let delivery = try #require(try first.nextDelivery(timeout: .seconds(5)))
                #expect(delivery.body == AMQPTestSupport.body(index))
                #expect(!delivery.redelivered)
            }
            first.close()

            let second = try AMQPTestSupport.admin()
            try second.consume(queue: queue)
            var bodies: [[UInt8]] = []
            for _ in 0..<3 {
                let delivery = try #require(try second.nextDelivery(timeout: .seconds(5)))
                #expect(delivery.redelivered)
                bodies.append(delivery.body)
                try second.ack(delivery.deliveryTag)
            }
            #expect(bodies == (0..<3).map { AMQPTestSupport.body($0) })
        }

        @Test func nackWithRequeueRedeliversAndWithoutRequeueDrops() throws {
            let queue = AMQPTestSupport.uniqueName("nack")
            defer { AMQPTestSupport.deleteQueues(queue) }
            let connection = try AMQPTestSupport.admin()
            try AMQPTestSupport.declareTemporaryQueue(connection, queue)
            try connection.publish(exchange: "", routingKey: queue, body: [1, 2, 3])
            try connection.consume(queue: queue)

            let first = try #require(try connection.nextDelivery(timeout: .seconds(5)))
            try connection.nack(first.deliveryTag, requeue: true)
            let again = try #require(try connection.nextDelivery(timeout: .seconds(5)))
            #expect(again.redelivered)
            #expect(again.body == [1, 2, 3])
            try connection.nack(again.deliveryTag, requeue: false)
            #expect(try connection.nextDelivery(timeout: .milliseconds(300)) == nil)
            #expect(try connection.declareQueue(queue, passive: true).messageCount == 0)
        }

        @Test func ackMultipleSettlesEveryEarlierDelivery() throws {
            let queue = AMQPTestSupport.uniqueName("ackmultiple")
            defer { AMQPTestSupport.deleteQueues(queue) }
            let consumer = try AMQPTestSupport.admin()
            try AMQPTestSupport.declareTemporaryQueue(consumer, queue)
            for index in 0..<5 {
                try consumer.publish(exchange: "", routingKey: queue, body: AMQPTestSupport.body(index))
            }
            try consumer.consume(queue: queue)
            var last: UInt64 = 0
            for _ in 0..<5 {
                last = try #require(try consumer.nextDelivery(timeout: .seconds(5))).deliveryTag
            }
            try consumer.ack(last, multiple: true)
            consumer.close()  // anything not acked would be requeued now

            let admin = try AMQPTestSupport.admin()
            #expect(try admin.declareQueue(queue, passive: true).messageCount == 0)
        }

        @Test func basicGetReturnsNilWhenEmptyAndTheMessageOtherwise() throws {
            let queue = AMQPTestSupport.uniqueName("get")
            defer { AMQPTestSupport.deleteQueues(queue) }
            let connection = try AMQPTestSupport.admin()
            try AMQPTestSupport.declareTemporaryQueue(connection, queue)
            #expect(try connection.get(queue: queue) == nil)

            let properties = AMQPProperties(contentType: "text/plain", messageID: "m-1", headers: ["h": .int(7)])
            try connection.publish(exchange: "", routingKey: queue, body: [0xFF, 0x00], properties: properties)
            let delivery = try #require(try connection.get(queue: queue))
            #expect(delivery.body == [0xFF, 0x00])
            #expect(delivery.properties == properties)
            #expect(delivery.routingKey == queue)
            #expect(delivery.exchange == "")
            try connection.ack(delivery.deliveryTag)
            #expect(try connection.get(queue: queue) == nil)
            #expect(try connection.purgeQueue(queue) == 0)
        }

        @Test func deadLetteredMessagesCarryAReadableXDeathHeader() throws {
            let source = AMQPTestSupport.uniqueName("dlsource")
            let target = AMQPTestSupport.uniqueName("dltarget")
            defer { AMQPTestSupport.deleteQueues(source, target) }
            let connection = try AMQPTestSupport.admin()
            try AMQPTestSupport.declareTemporaryQueue(connection, target)
            try AMQPTestSupport.declareTemporaryQueue(
                connection, source,
                extra: ["x-dead-letter-exchange": .string(""), "x-dead-letter-routing-key": .string(target)])
            try connection.publish(exchange: "", routingKey: source, body: [42])
            let original = try #require(try connection.get(queue: source))
            try connection.nack(original.deliveryTag, requeue: false)

            var deadLettered: AMQPDelivery?
            for _ in 0..<50 where deadLettered == nil {
                deadLettered = try connection.get(queue: target)
                if deadLettered == nil { usleep(20_000) }
            }
            let delivery = try #require(deadLettered)
            #expect(delivery.body == [42])
            guard case .array(let deaths)? = delivery.properties.headers["x-death"],
                case .table(let death)? = deaths.first
            else {
                Issue.record("x-death missing or malformed: \(delivery.properties.headers)")
                return
            }
            #expect(death["count"] == .int(1))
            #expect(death["reason"] == .string("rejected"))
            #expect(death["queue"] == .string(source))
            #expect(death["routing-keys"] == .array([.string(source)]))
            guard case .timestamp(let time)? = death["time"] else {
                Issue.record("x-death time is not a timestamp: \(String(describing: death["time"]))")
                return
            }
            #expect(time > 1_700_000_000)
            try connection.ack(delivery.deliveryTag)
        }
    }
}
