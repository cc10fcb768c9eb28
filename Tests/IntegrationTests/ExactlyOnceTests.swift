import AMQPClient
import CostCore
import Foundation
import Testing

extension PersistIntegration {
    /// A valid event is counted once however often it arrives; a malformed one is never
    /// dropped: it lands in the dead-letter queue with its reason and can be replayed.
    @Suite(.serialized, .timeLimit(.minutes(10)))
    struct ExactlyOnceTests {
        @Test("10,000 events + 1,000 duplicates + every kind of malformed message: each event counted once, each bad message dead-lettered with its reason, fixed ones replay")
        func exactlyOnceWithDuplicatesAndMalformed() async throws {
            let db = try ScratchDatabase()
            defer { db.drop() }
            let queues = try ScratchQueues()
            defer { queues.delete() }
            let catalog = try ScratchDatabase.catalog()

            let runID = "it1-\(IntegrationEnvironment.uniqueSuffix())"
            let events = TestEvents.fleet(count: 10_000, runID: runID)
            let malformed = MalformedMessage.everyKind(runID: runID, now: TestEvents.now())
            var messages = TestEvents.messages(events) + TestEvents.duplicates(of: events, count: 1_000)
                + malformed.map { ($0.key, $0.body) }
            messages.shuffle()
            try queues.publish(messages)

            let worker = try WorkerProcess(
                name: "persist-exactly-once", amqpURL: try IntegrationEnvironment.adminAMQPURL(), pgURL: db.url,
                arguments: ["--queue", queues.queue, "--dead-letter-key", queues.deadLetterKey])
            try await Waiting.until("10,000 events stored and \(malformed.count) dead-lettered", timeout: .seconds(120),
                                    diagnostics: { worker.logTail + "\n" + queues.deadLetterSummary() }) {
                let stored = try db.storedEvents()
                let dead = try queues.readyCount(queues.deadLetterQueue)
                return (stored == 10_000 && dead == malformed.count, "stored \(stored), dead-lettered \(dead)")
            }
            try await Waiting.stays("events stored", at: 10_000, for: .seconds(1)) { try db.storedEvents() }
            #expect(try queues.readyCount(queues.queue) == 0)

            let expected = TestEvents.expectedTotal(events, catalog: catalog).decimalString
            #expect(try db.count("SELECT count(*) FROM cost_tracking") == 10_000)
            #expect(try db.count("SELECT count(DISTINCT event_id) FROM cost_tracking") == 10_000)
            #expect(try db.scalar("SELECT sum(cost_usd)::text FROM cost_tracking") == expected)
            #expect(try db.count("SELECT sum(event_count) FROM daily_cost_summary") == 10_000)
            #expect(try db.scalar("SELECT sum(total_cost_usd)::text FROM daily_cost_summary") == expected)
            #expect(try db.count("SELECT sum(event_count) FROM cost_sessions") == 10_000)
            #expect(try db.scalar("SELECT sum(total_cost_usd)::text FROM cost_sessions") == expected)
            #expect(try db.count("SELECT count(*) FROM cost_tracking WHERE event_id LIKE $1", ["\(runID)-bad-%"]) == 0)

            // Every malformed message is in the dead-letter queue, once, with its reason.
            let letters = try queues.drain(queues.deadLetterQueue)
            let byKey = Dictionary(grouping: letters) { $0.properties.messageID ?? "-" }
            for bad in malformed {
                let found = byKey[bad.key] ?? []
                #expect(found.count == 1, "\(bad.key) should be dead-lettered once, found \(found.count)")
                guard let letter = found.first else { continue }
                #expect(letter.body == bad.body, "\(bad.key): the dead letter keeps the original body")
                #expect(letter.stringHeader("x-cost-reject-field") == bad.field, "\(bad.key): field")
                #expect(letter.stringHeader("x-cost-reject-rule") == bad.rule, "\(bad.key): rule")
                #expect(!(letter.stringHeader("x-cost-reject-reason") ?? "").isEmpty, "\(bad.key): reason")
                #expect((letter.stringHeader("x-cost-violations") ?? "").contains("\"rule\":\"\(bad.rule)\""),
                        "\(bad.key): violations list")
                #expect(letter.stringHeader("x-cost-source-queue") == queues.queue, "\(bad.key): source queue")
            }
            #expect(letters.count == malformed.count)

            // Fix and replay: a clock problem is fixed by correcting occurred_at; messages
            // replayed unchanged come back with the same reason.
            let fixable = ["\(runID)-bad-future", "\(runID)-bad-no-offset"]
            let stillBroken = ["\(runID)-bad-negative", "\(runID)-bad-invalid-json", "\(runID)-bad-17-tags"]
            for key in fixable {
                let letter = try #require(byKey[key]?.first, "\(key) missing from the dead-letter queue")
                try queues.republish(body: try MalformedMessage.withOccurredAt(letter.body, TestEvents.now()),
                                     properties: letter.properties)
            }
            for key in stillBroken {
                let letter = try #require(byKey[key]?.first, "\(key) missing from the dead-letter queue")
                try queues.republish(body: letter.body, properties: letter.properties)
            }
            try await Waiting.until("the fixed events stored and the broken ones dead-lettered again", timeout: .seconds(30),
                                    diagnostics: { worker.logTail + "\n" + queues.deadLetterSummary() }) {
                let stored = try db.storedEvents()
                let dead = try queues.readyCount(queues.deadLetterQueue)
                return (stored == 10_002 && dead == stillBroken.count, "stored \(stored), dead-lettered \(dead)")
            }
            for key in fixable {
                #expect(try db.count("SELECT count(*) FROM cost_tracking WHERE event_id = $1", [key]) == 1, "\(key) stored")
            }
            let returned = try queues.drain(queues.deadLetterQueue)
            #expect(Set(returned.compactMap(\.properties.messageID)) == Set(stillBroken))
            for letter in returned {
                let original = malformed.first { $0.key == letter.properties.messageID }
                #expect(letter.stringHeader("x-cost-reject-field") == original?.field)
                #expect(letter.stringHeader("x-cost-reject-rule") == original?.rule)
            }

            await worker.terminate()
            worker.expectNoSecretsInLog()
        }
    }
}
