import AMQPClient
import AgentSDK
import CostCore
import Foundation
import Testing
import WorkerRuntime

extension PersistIntegration {
    /// The shipped topology and users, end to end: an agent publishes with the SDK, a worker
    /// running as the least-privileged worker user declares what it needs and stores the
    /// events, and `costctl dlq` lists and replays a dead letter. The only suite that
    /// touches the real cost.usage.* queues; it purges them before and after.
    @Suite(.serialized, .timeLimit(.minutes(10)))
    struct RealTopologyTests {
        static let purged = ["cost.usage.persist", "cost.usage.budget", "cost.usage.anomaly", "cost.dlq.persist"]

        @Test("SDK → cost.usage → worker (worker user) → PostgreSQL; a future event → cost.dlq.persist → costctl dlq list/replay")
        func agentToDatabaseThroughRealTopology() async throws {
            let admin = try AMQPConnection(config: try ScratchQueues.adminConfig())
            defer { admin.close() }
            let persistQueue = try admin.declareQueue("cost.usage.persist", passive: true)
            try #require(persistQueue.consumerCount == 0,
                         "another consumer is attached to cost.usage.persist (a running demo worker?): stop it, it would take this test's events")
            func purgeAll() { for q in Self.purged { _ = try? admin.purgeQueue(q) } }
            purgeAll()
            defer { purgeAll() }

            let db = try ScratchDatabase()
            defer { db.drop() }
            let worker = try WorkerProcess(name: "persist-real", amqpURL: try IntegrationEnvironment.workerAMQPURL(),
                                           pgURL: db.url, arguments: [])
            defer { worker.kill9() }
            try await Waiting.until("the worker consuming cost.usage.persist", timeout: .seconds(30),
                                    diagnostics: { worker.logTail }) {
                let consumers = try admin.declareQueue("cost.usage.persist", passive: true).consumerCount
                return (consumers >= 1 && worker.log.contains("connected to the broker"), "\(consumers) consumers")
            }

            let publisher = try UsagePublisher(url: try IntegrationEnvironment.agentAMQPURL(), clock: SystemClock.now)
            defer { publisher.close() }
            let runID = "it6-\(IntegrationEnvironment.uniqueSuffix())"
            let events = TestEvents.fleet(count: 100, runID: runID, seed: 17)
            for event in events { try publisher.publish(event) }
            #expect(publisher.flush(timeout: .seconds(20)), "the broker should confirm every event (\(String(describing: publisher.lastError)))")
            try await Waiting.until("100 events stored", timeout: .seconds(60), diagnostics: { worker.logTail }) {
                let stored = try db.storedEvents()
                return (stored == 100, "stored \(stored)")
            }
            let expected = TestEvents.expectedTotal(events, catalog: try ScratchDatabase.catalog()).decimalString
            #expect(try db.scalar("SELECT sum(cost_usd)::text FROM cost_tracking") == expected)

            // An event from an agent whose clock is 10 minutes fast.
            let future = try #require(MalformedMessage.everyKind(runID: runID, now: TestEvents.now()).first { $0.rule == "future" })
            try publisher.publish(body: future.body, routingKey: "usage.openai",
                                  properties: AMQPProperties(contentType: "application/json", messageID: future.key))
            #expect(publisher.flush(timeout: .seconds(20)))
            try await Waiting.until("the future event in cost.dlq.persist", timeout: .seconds(30), diagnostics: { worker.logTail }) {
                let n = try admin.declareQueue("cost.dlq.persist", passive: true).messageCount
                return (n == 1, "\(n) dead letters")
            }

            let list = try CommandRunner.costctl(["dlq", "list", "--kind", "persist"])
            #expect(list.status == 0, "costctl dlq list failed: \(list.combined)")
            #expect(list.standardOutput.contains("future"), "the listing names the rule: \(list.combined)")
            #expect(list.standardOutput.contains("occurred_at"), "the listing names the field: \(list.combined)")
            #expect(list.standardOutput.contains(future.key), "the listing names the message: \(list.combined)")
            #expect(try admin.declareQueue("cost.dlq.persist", passive: true).messageCount == 1, "listing leaves the message in place")

            let replay = try CommandRunner.costctl(["dlq", "replay", "--kind", "persist", "--rule", "future"])
            #expect(replay.status == 0, "costctl dlq replay failed: \(replay.combined)")
            #expect(replay.standardOutput.contains("replayed 1 message"), "\(replay.combined)")

            // Still 10 minutes ahead, so the worker rejects it again, with its reason.
            var returned: AMQPDelivery?
            try await Waiting.until("the replayed event back in cost.dlq.persist", timeout: .seconds(30),
                                    diagnostics: { worker.logTail }) {
                if returned == nil, let d = try admin.get(queue: "cost.dlq.persist") {
                    try admin.ack(d.deliveryTag)
                    returned = d
                }
                return (returned != nil, returned == nil ? "nothing yet" : "got it")
            }
            let letter = try #require(returned)
            #expect(letter.properties.messageID == future.key)
            #expect(letter.body == future.body)
            #expect(letter.stringHeader("x-cost-reject-rule") == "future")
            #expect(letter.properties.headers["x-cost-replays"] == .int(1), "the replay is counted")
            #expect(try db.storedEvents() == 100, "the invalid event is never stored")

            await worker.terminate()
            worker.expectNoSecretsInLog()
        }
    }
}
