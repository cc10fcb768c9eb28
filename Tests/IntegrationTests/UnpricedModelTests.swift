import AMQPClient
import CostCore
import Foundation
import Testing

extension PersistIntegration {
    /// An unknown model never costs $0 and never goes unnoticed.
    @Suite(.serialized, .timeLimit(.minutes(10)))
    struct UnpricedModelTests {
        @Test("a model the catalog lacks: reported or fallback cost, marked unpriced, one alert on cost.alerts")
        func unknownModel() async throws {
            let db = try ScratchDatabase()
            defer { db.drop() }
            let queues = try ScratchQueues()
            defer { queues.delete() }
            let alerts = "it.\(IntegrationEnvironment.uniqueSuffix()).alerts"
            let admin = try AMQPConnection(config: try ScratchQueues.adminConfig())
            defer { try? admin.deleteQueue(alerts); admin.close() }
            try admin.declareQueue(alerts, durable: false, arguments: ["x-expires": .int(600_000)])
            try admin.bindQueue(alerts, exchange: "cost.alerts", routingKey: "alert.#")

            let runID = "it7-\(IntegrationEnvironment.uniqueSuffix())"
            let now = TestEvents.now()
            var events: [UsageEvent] = []
            for i in 0..<6 {
                let reported: Nanodollars? = i % 2 == 0 ? Nanodollars(250_000_000) : nil
                events.append(UsageEvent(
                    eventID: "\(runID)-\(i)", occurredAt: now.adding(seconds: Int64(i - 60)),
                    sessionID: "sess-\(runID)", agentID: "agent-unpriced", provider: "openai", model: "no-such-model",
                    inputTokens: 10_000 + Int64(i), outputTokens: 2_000, reportedCost: reported))
            }
            let worker = try WorkerProcess(
                name: "persist-unpriced", amqpURL: try IntegrationEnvironment.adminAMQPURL(), pgURL: db.url,
                arguments: ["--queue", queues.queue, "--dead-letter-key", queues.deadLetterKey])
            try queues.publish(TestEvents.messages(events))
            try await Waiting.until("6 events stored", timeout: .seconds(60),
                                    diagnostics: { worker.logTail + "\n" + queues.deadLetterSummary() }) {
                let stored = try db.storedEvents()
                return (stored == 6, "stored \(stored)")
            }

            let catalog = try ScratchDatabase.catalog()
            for event in events {
                let row = try db.query(
                    "SELECT cost_source, cost_usd::text, unpriced::text FROM cost_tracking WHERE event_id = $1", [event.eventID])
                try #require(row.rows.count == 1, "\(event.eventID) stored once")
                let expected = CostCalculator.price(event, catalog: catalog)
                #expect(expected.cost > .zero)
                let source: String = event.reportedCost == nil ? "fallback" : "reported"
                #expect(row.rows[0][0] == source, "\(event.eventID) cost_source")
                #expect(row.rows[0][1] == expected.cost.decimalString, "\(event.eventID) cost")
                #expect(row.rows[0][2] == "true", "\(event.eventID) is marked unpriced")
            }
            #expect(try db.scalar("SELECT min(cost_usd)::text FROM cost_tracking WHERE cost_source = 'reported'") == "0.250000000")

            try await Waiting.until("the unpriced model marked alerted", timeout: .seconds(30), diagnostics: { worker.logTail }) {
                let n = try db.count("""
                    SELECT count(*) FROM unpriced_models
                    WHERE provider = 'openai' AND model = 'no-such-model' AND alerted_at IS NOT NULL AND event_count = 6
                    """)
                return (n == 1, "\(n) matching unpriced_models rows")
            }
            #expect(try db.count("SELECT count(*) FROM unpriced_models") == 1)

            // Housekeeping runs every 2 s: after 5 s a second alert would have gone out.
            try await Task.sleep(for: .seconds(5))
            var forThisModel: [JSONValue] = []
            while let d = try admin.get(queue: alerts) {
                try admin.ack(d.deliveryTag)
                guard let alert = try? JSONParser.parse(d.body), alert["model"]?.stringValue == "no-such-model" else { continue }
                forThisModel.append(alert)
            }
            #expect(forThisModel.count == 1, "exactly one alert for openai/no-such-model, got \(forThisModel.count)")
            #expect(forThisModel.first?["kind"]?.stringValue == "unpriced_model")
            #expect(forThisModel.first?["provider"]?.stringValue == "openai")

            await worker.terminate()
            worker.expectNoSecretsInLog()
        }
    }
}
