import Testing
import AMQPClient

extension AMQPIntegrationTests {
    /// Long loops: no memory growth (rabbitmq-c buffers released, bytes freed) and a rate print.
    @Suite struct Soak {
        @Test func twentyThousandPublishConsumeAckCyclesDoNotGrowMemory() throws {
            let queue = AMQPTestSupport.uniqueName("soak")
            defer { AMQPTestSupport.deleteQueues(queue) }
            let publisher = try AMQPTestSupport.admin()
            try AMQPTestSupport.declareTemporaryQueue(publisher, queue)
            try publisher.enableConfirms()
            let consumer = try AMQPTestSupport.admin()
            try consumer.setPrefetch(500)
            try consumer.consume(queue: queue)
            let properties = AMQPProperties(
                contentType: "application/json", messageID: "soak", headers: ["n": .int(1), "s": .string("abc")])
            let body = AMQPTestSupport.body(7, size: 400)

            var residentAt5000 = 0
            let batch = 100
            for round in 0..<(20_000 / batch) {
                for _ in 0..<batch {
                    try publisher.publish(exchange: "", routingKey: queue, body: body, properties: properties)
                }
                try publisher.waitForConfirms(timeout: .seconds(10))
                for _ in 0..<batch {
                    let delivery = try #require(try consumer.nextDelivery(timeout: .seconds(5)))
                    #expect(delivery.body.count == 400)
                    try consumer.ack(delivery.deliveryTag)
                }
                if (round + 1) * batch == 5_000 { residentAt5000 = AMQPTestSupport.residentBytes() }
            }
            let residentAt20000 = AMQPTestSupport.residentBytes()
            let growth = residentAt20000 - residentAt5000
            print("AMQP soak: RSS at 5,000 = \(residentAt5000 / 1024) KiB, at 20,000 = \(residentAt20000 / 1024) KiB, growth \(growth / 1024) KiB")
            #expect(residentAt5000 > 0)
            #expect(growth < 4 * 1024 * 1024, "resident memory grew by \(growth / 1024) KiB over 15,000 cycles")
        }

        @Test func throughputSanityPrint() throws {
            let queue = AMQPTestSupport.uniqueName("throughput")
            defer { AMQPTestSupport.deleteQueues(queue) }
            let publisher = try AMQPTestSupport.admin()
            try AMQPTestSupport.declareTemporaryQueue(publisher, queue)
            try publisher.enableConfirms()
            let count = 10_000
            let body = AMQPTestSupport.body(1, size: 400)
            let clock = ContinuousClock()

            let publishTime = try clock.measure {
                for index in 0..<count {
                    try publisher.publish(exchange: "", routingKey: queue, body: body)
                    if publisher.unconfirmedCount >= 1000 || index == count - 1 {
                        try publisher.waitForConfirms(timeout: .seconds(10))
                    }
                }
            }
            let consumer = try AMQPTestSupport.admin()
            try consumer.setPrefetch(1000)
            try consumer.consume(queue: queue)
            var received = 0
            let consumeTime = try clock.measure {
                while received < count, let delivery = try consumer.nextDelivery(timeout: .seconds(5)) {
                    received += 1
                    if received % 250 == 0 || received == count {
                        try consumer.ack(delivery.deliveryTag, multiple: true)
                    }
                }
            }
            #expect(received == count)
            func rate(_ duration: Duration) -> Int {
                let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
                return seconds > 0 ? Int(Double(count) / seconds) : 0
            }
            print("AMQP throughput (400-byte messages, transient queue): publish with confirms \(rate(publishTime))/s, consume+ack \(rate(consumeTime))/s")
        }
    }
}
