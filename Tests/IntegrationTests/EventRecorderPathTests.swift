import CostCore
import CostStore
import Foundation
import PersistKit
import PostgresClient
import Testing
import WorkerRuntime

extension PersistIntegration {
    /// The recorder's two ways of writing a batch (COPY append when every event is new, the
    /// ledger's `ON CONFLICT` claim otherwise) count each event_id once and move the
    /// aggregates by exactly the events stored.
    @Suite(.serialized, .timeLimit(.minutes(5)))
    struct EventRecorderPathTests {
        @Test("new events are appended; a batch with already counted events falls back to the claim path, which stays on until a batch holds none; every total stays exact")
        func appendThenClaimThenAppend() throws {
            let db = try ScratchDatabase()
            defer { db.drop() }
            let catalog = try ScratchDatabase.catalog()
            let connection = try PGConnection(url: db.url, applicationName: "it-recorder")
            defer { connection.close() }
            let recorder = EventRecorder(db: connection)
            let events = TestEvents.fleet(count: 3000, runID: "rp-\(IntegrationEnvironment.uniqueSuffix())")
            let priced = events.map { PricedEvent(event: $0, cost: CostCalculator.price($0, catalog: catalog)) }

            let first = try recorder.record(Array(priced[0..<1000]))
            #expect(first == RecordOutcome(inserted: 1000, duplicates: 0, sawUnpricedModel: first.sawUnpricedModel, path: .append))

            // 200 already counted (one of them twice in the batch) + 800 new.
            let mixed = Array(priced[800..<1800]) + [priced[900]]
            let second = try recorder.record(mixed)
            #expect(second.path == .claim)
            #expect(second.inserted == 800)
            #expect(second.duplicates == 201)

            // The batch after a duplicate claims too; it has none, so the next one appends.
            let third = try recorder.record(Array(priced[1800..<2400]))
            #expect(third.path == .claim)
            #expect(third.inserted == 600)
            let fourth = try recorder.record(Array(priced[2400..<3000]))
            #expect(fourth.path == .append)
            #expect(fourth.inserted == 600)

            try expectExactTotals(db, events: events, catalog: catalog)
        }

        @Test("an event_id already counted, re-sent with an occurred_at in another month, is not counted again (append and claim path)")
        func duplicateAcrossMonthsRejected() throws {
            let db = try ScratchDatabase()
            defer { db.drop() }
            let catalog = try ScratchDatabase.catalog()
            let connection = try PGConnection(url: db.url, applicationName: "it-recorder")
            defer { connection.close() }
            let events = TestEvents.fleet(count: 50, runID: "rm-\(IntegrationEnvironment.uniqueSuffix())")
            func price(_ e: UsageEvent) -> PricedEvent { PricedEvent(event: e, cost: CostCalculator.price(e, catalog: catalog)) }
            let stored = try EventRecorder(db: connection).record(events.map(price))
            #expect(stored.inserted == 50)

            var moved = events[7]
            moved.occurredAt = moved.occurredAt.adding(seconds: -40 * 86_400)
            moved.inputTokens += 1_000_000
            #expect(moved.occurredAt.utcMonthStartString != events[7].occurredAt.utcMonthStartString)
            // A fresh recorder tries the append path first: the ledger rejects it.
            let alone = try EventRecorder(db: connection).record([price(moved)])
            #expect(alone == RecordOutcome(inserted: 0, duplicates: 1, sawUnpricedModel: false, path: .claim))
            // Once more on the claim path (the recorder that just fell back), next to a new event.
            let recorder = EventRecorder(db: connection)
            _ = try recorder.record([price(moved)])
            var fresh = events[8]
            fresh.eventID += "-new"
            let withNew = try recorder.record([price(moved), price(fresh)])
            #expect(withNew.path == .claim)
            #expect(withNew.inserted == 1)

            #expect(try db.count("SELECT count(*) FROM cost_tracking WHERE event_id = $1", [moved.eventID]) == 1)
            #expect(try db.scalar("SELECT occurred_at = $2::timestamptz FROM cost_tracking WHERE event_id = $1",
                                  [moved.eventID, events[7].occurredAt.rfc3339]) == "t")
            try expectExactTotals(db, events: events + [fresh], catalog: catalog)
        }

        @Test("two recorders appending overlapping batches at once: each event counted once (the loser waits for the winner's commit, then claims)")
        func concurrentOverlappingAppends() async throws {
            let db = try ScratchDatabase()
            defer { db.drop() }
            let catalog = try ScratchDatabase.catalog()
            let events = TestEvents.fleet(count: 4000, runID: "rc-\(IntegrationEnvironment.uniqueSuffix())")
            let priced = events.map { PricedEvent(event: $0, cost: CostCalculator.price($0, catalog: catalog)) }
            let slices = [Array(priced[0..<1000]), Array(priced[1000..<2600]), Array(priced[2600..<4000]),
                          Array(priced[500..<1500]), Array(priced[2000..<3000]), Array(priced[3500..<4000])]
            let url = db.url
            let inserted = try await withThrowingTaskGroup(of: Int.self) { group in
                for worker in 0..<2 {
                    group.addTask {
                        let connection = try PGConnection(url: url, applicationName: "it-recorder-\(worker)")
                        defer { connection.close() }
                        let recorder = EventRecorder(db: connection)
                        var inserted = 0
                        for index in stride(from: worker, to: slices.count, by: 2) {
                            inserted += try recorder.record(slices[index]).inserted
                        }
                        return inserted
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(inserted == 4000)
            try expectExactTotals(db, events: events, catalog: catalog)
        }

        @Test("the append path records unpriced models as the claim path does: first/last seen and count")
        func unpricedModelsOnAppend() throws {
            let db = try ScratchDatabase()
            defer { db.drop() }
            let connection = try PGConnection(url: db.url, applicationName: "it-recorder")
            defer { connection.close() }
            let empty = PricingCatalog(prices: [])
            var events = TestEvents.fleet(count: 20, runID: "ru-\(IntegrationEnvironment.uniqueSuffix())")
            for i in events.indices { events[i].provider = "acme"; events[i].model = i % 2 == 0 ? "m-even" : "m-odd" }
            let outcome = try EventRecorder(db: connection)
                .record(events.map { PricedEvent(event: $0, cost: CostCalculator.price($0, catalog: empty)) })
            #expect(outcome.path == .append)
            #expect(outcome.sawUnpricedModel)
            let rows = try db.query("""
                SELECT model, event_count, first_seen_at = $1::timestamptz, last_seen_at = $2::timestamptz
                FROM unpriced_models ORDER BY model
                """, [events[0].occurredAt.rfc3339, events[19].occurredAt.rfc3339]).rows
            #expect(rows.map { $0[0] ?? "" } == ["m-even", "m-odd"])
            #expect(rows.map { $0[1] ?? "" } == ["10", "10"])
            #expect(rows[0][2] == "t" && rows[1][3] == "t", "m-even first seen at event 0, m-odd last seen at event 19")
        }

        @Test("cost-persist defaults to batches of 2000 and a prefetch of 4000 unless a flag or the environment says otherwise")
        func persistDefaults() throws {
            func settings(_ arguments: [String], _ environment: [String: String]) throws -> WorkerSettings {
                let options = try WorkerOptions.parse(arguments)
                return try options.settings(kind: "persist", defaultMetricsPort: 0, needsPostgres: true, needsRedis: false,
                                            defaultBatchSize: PersistDefaults.batchSize, defaultPrefetch: PersistDefaults.prefetch,
                                            environment: environment)
            }
            let env = ["COST_AMQP_URL": "amqp://u:p@127.0.0.1:1/v", "COST_PG_URL": "postgresql://u:p@127.0.0.1:1/d"]
            let plain = try settings([], env)
            #expect((plain.batchSize, plain.prefetch) == (2000, 4000))
            let flags = try settings(["--batch-size", "500", "--prefetch", "900"], env)
            #expect((flags.batchSize, flags.prefetch) == (500, 900))
            let fromEnv = try settings([], env.merging(["COST_BATCH_SIZE": "1000", "COST_PREFETCH": "2000"]) { $1 })
            #expect((fromEnv.batchSize, fromEnv.prefetch) == (1000, 2000))
        }

        /// Every view and table agrees with the events: counted once, exact cost.
        private func expectExactTotals(_ db: ScratchDatabase, events: [UsageEvent], catalog: PricingCatalog) throws {
            let expected = TestEvents.expectedTotal(events, catalog: catalog).decimalString
            #expect(try db.storedEvents() == events.count)
            #expect(try db.count("SELECT count(*) FROM cost_tracking") == events.count)
            #expect(try db.count("SELECT count(DISTINCT event_id) FROM cost_tracking") == events.count)
            #expect(try db.scalar("SELECT sum(cost_usd)::text FROM cost_tracking") == expected)
            #expect(try db.count("SELECT sum(event_count) FROM daily_cost_summary") == events.count)
            #expect(try db.scalar("SELECT sum(total_cost_usd)::text FROM daily_cost_summary") == expected)
            #expect(try db.count("SELECT sum(event_count) FROM cost_sessions") == events.count)
            #expect(try db.scalar("SELECT sum(total_cost_usd)::text FROM cost_sessions") == expected)
            let tokens = events.reduce(Int64(0)) { $0 + $1.inputTokens }
            #expect(try db.scalar("SELECT sum(input_tokens)::text FROM daily_cost_summary") == String(tokens))
        }
    }
}
