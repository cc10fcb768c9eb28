import CostCore
import Foundation
import Testing

extension PersistIntegration {
    /// The worker survives what production throws at it: a crash mid-batch, a database
    /// outage, and a competing instance on the same queue. Serialized because one test
    /// stops PostgreSQL.
    @Suite(.serialized, .timeLimit(.minutes(10)))
    struct RecoveryTests {
        @Test("kill -9 mid-stream: a second worker finishes, every event counted exactly once")
        func killNineMidStream() async throws {
            let db = try ScratchDatabase()
            defer { db.drop() }
            let queues = try ScratchQueues()
            defer { queues.delete() }
            let events = TestEvents.fleet(count: 20_000, runID: "it2-\(IntegrationEnvironment.uniqueSuffix())", seed: 7)
            try queues.publish(TestEvents.messages(events))

            let arguments = ["--queue", queues.queue, "--dead-letter-key", queues.deadLetterKey, "--batch-size", "200"]
            let workerA = try WorkerProcess(name: "persist-A", amqpURL: try IntegrationEnvironment.adminAMQPURL(),
                                            pgURL: db.url, arguments: arguments)
            try await Waiting.until("worker A to store 3,000 events", timeout: .seconds(60), interval: .milliseconds(20),
                                    diagnostics: { workerA.logTail }) {
                let stored = try db.storedEvents()
                return (stored >= 3_000, "stored \(stored)")
            }
            workerA.kill9()
            let storedAtKill = try db.storedEvents()
            #expect(workerA.diedOfSignal)
            #expect(storedAtKill < 20_000, "worker A should die mid-stream, but had stored everything already")

            let workerB = try WorkerProcess(name: "persist-B", amqpURL: try IntegrationEnvironment.adminAMQPURL(),
                                            pgURL: db.url, arguments: arguments)
            try await Waiting.until("worker B to finish the stream", timeout: .seconds(120),
                                    diagnostics: { workerB.logTail + "\n" + queues.deadLetterSummary() }) {
                let stored = try db.storedEvents()
                return (stored == 20_000, "stored \(stored) (\(storedAtKill) when A was killed)")
            }
            try await Waiting.stays("events stored", at: 20_000, for: .seconds(2)) { try db.storedEvents() }
            try expectExactlyOnce(db, events: events)
            await workerB.terminate()
            workerB.expectNoSecretsInLog()
        }

        @Test("PostgreSQL down for 10 s mid-stream: the worker waits, keeps the messages, and finishes exactly once")
        func postgresOutage() async throws {
            let db = try ScratchDatabase()
            defer { db.drop() }
            let queues = try ScratchQueues()
            defer { queues.delete() }
            let events = TestEvents.fleet(count: 15_000, runID: "it3-\(IntegrationEnvironment.uniqueSuffix())", seed: 11)
            try queues.publish(TestEvents.messages(events))

            let cluster = PostgresServerControl.folder.appendingPathComponent("data/PG_VERSION")
            try #require(FileManager.default.fileExists(atPath: cluster.path),
                         "no PostgreSQL cluster at \(cluster.path): set COST_DATA as ops/servers had it, \(IntegrationEnvironment.missingServersHint)")

            // No other test of this process may use the database during the outage: wait
            // until the other scratch databases are dropped, and hold new ones back.
            defer { PostgresOutageGate.endOutage() }
            let alone = await PostgresOutageGate.beginOutage()
            if !alone { print("other scratch databases stayed open; the outage may disturb their tests") }
            // Other test targets (ClientTests) use the server directly: wait (at most 20 s)
            // for 2 s without any session of theirs.
            let serverURL = try IntegrationEnvironment.pgURL()
            let politeDeadline = ContinuousClock.now + .seconds(20)
            var quietSince = ContinuousClock.now
            while ContinuousClock.now - quietSince < .seconds(2) && ContinuousClock.now < politeDeadline {
                if PostgresServerControl.foreignSessions(serverURL: serverURL) > 0 { quietSince = ContinuousClock.now }
                try await Task.sleep(for: .milliseconds(100))
            }

            let worker = try WorkerProcess(
                name: "persist-outage", amqpURL: try IntegrationEnvironment.adminAMQPURL(), pgURL: db.url,
                arguments: ["--queue", queues.queue, "--dead-letter-key", queues.deadLetterKey, "--batch-size", "200"])
            try await Waiting.until("the first events stored", timeout: .seconds(60), interval: .milliseconds(20),
                                    diagnostics: { worker.logTail + "\n" + queues.deadLetterSummary() }) {
                let stored = try db.storedEvents()
                return (stored >= 1_000, "stored \(stored)")
            }

            defer { PostgresServerControl.ensureRunning() }
            let stop = try PostgresServerControl.stop()
            try #require(stop.status == 0, "pg_ctl stop failed: \(stop.combined)")
            let outageStarted = ContinuousClock.now
            while ContinuousClock.now - outageStarted < .seconds(10) {
                try await Task.sleep(for: .seconds(1))
                #expect(worker.isRunning, "the worker must survive a database outage\n\(worker.logTail)")
            }
            let waiting = try queues.readyCount(queues.queue)
            #expect(waiting > 0, "the messages not yet stored must stay in the queue during the outage")
            let start = try PostgresServerControl.start()
            try #require(start.status == 0, "pg_ctl start failed: \(start.combined)")

            try await Waiting.until("all 15,000 events stored after the outage", timeout: .seconds(120),
                                    diagnostics: { worker.logTail + "\n" + queues.deadLetterSummary() }) {
                let stored = try db.storedEvents()
                return (stored == 15_000, "stored \(stored)")
            }
            try await Waiting.stays("events stored", at: 15_000, for: .seconds(2)) { try db.storedEvents() }
            try expectExactlyOnce(db, events: events)
            #expect(worker.log.contains("retrying") || worker.log.contains("will retry"),
                    "the worker should log that it retries while the database is away\n\(worker.logTail)")
            await worker.terminate()
            worker.expectNoSecretsInLog()
        }

        @Test("two workers on one queue share 20,000 events + 2,000 duplicates, count each once, and stop gracefully")
        func twoWorkersOneQueue() async throws {
            let db = try ScratchDatabase()
            defer { db.drop() }
            let queues = try ScratchQueues()
            defer { queues.delete() }
            let events = TestEvents.fleet(count: 20_000, runID: "it4-\(IntegrationEnvironment.uniqueSuffix())", seed: 13)
            var messages = TestEvents.messages(events) + TestEvents.duplicates(of: events, count: 2_000)
            messages.shuffle()

            let arguments = ["--queue", queues.queue, "--dead-letter-key", queues.deadLetterKey]
            let workers = try ["persist-1", "persist-2"].map {
                try WorkerProcess(name: $0, amqpURL: try IntegrationEnvironment.adminAMQPURL(), pgURL: db.url,
                                  arguments: arguments, metricsPort: 0)
            }
            try await Waiting.until("both workers consuming", timeout: .seconds(30),
                                    diagnostics: { workers.map(\.logTail).joined(separator: "\n") + "\n" + queues.deadLetterSummary() }) {
                let consumers = try queues.consumerCount(queues.queue)
                let connected = workers.filter { $0.log.contains("connected to the broker") }.count
                return (consumers >= 2 && connected == 2, "\(consumers) consumers, \(connected) workers connected")
            }
            try queues.publish(messages)
            try await Waiting.until("20,000 events stored", timeout: .seconds(120),
                                    diagnostics: { workers.map(\.logTail).joined(separator: "\n") + "\n" + queues.deadLetterSummary() }) {
                let stored = try db.storedEvents()
                return (stored == 20_000, "stored \(stored)")
            }
            try await Waiting.stays("events stored", at: 20_000, for: .seconds(2)) { try db.storedEvents() }
            try expectExactlyOnce(db, events: events)

            var processed: [Double] = []
            for worker in workers {
                let value = try await worker.metricValue("cost_worker_events_processed_total", labels: #"kind="persist""#)
                processed.append(value ?? 0)
                #expect((value ?? 0) > 0, "\(worker.name) should have processed some events, /metrics says \(String(describing: value))")
            }
            #expect(processed.reduce(0, +) >= 22_000, "the two workers together saw every message: \(processed)")

            for worker in workers { worker.sendTerminate() }
            for worker in workers {
                await worker.expectGracefulExit(within: .seconds(15))
                worker.expectNoSecretsInLog()
            }
        }

        /// cost_tracking holds each event once at its contract price, and every aggregate agrees.
        private func expectExactlyOnce(_ db: ScratchDatabase, events: [UsageEvent]) throws {
            let expected = TestEvents.expectedTotal(events, catalog: try ScratchDatabase.catalog()).decimalString
            #expect(try db.count("SELECT count(*) FROM cost_tracking") == events.count)
            #expect(try db.count("SELECT count(DISTINCT event_id) FROM cost_tracking") == events.count)
            #expect(try db.storedEvents() == events.count)
            #expect(try db.scalar("SELECT sum(cost_usd)::text FROM cost_tracking") == expected)
            #expect(try db.count("SELECT sum(event_count) FROM daily_cost_summary") == events.count)
            #expect(try db.scalar("SELECT sum(total_cost_usd)::text FROM daily_cost_summary") == expected)
            #expect(try db.count("SELECT sum(event_count) FROM cost_sessions") == events.count)
            #expect(try db.scalar("SELECT sum(total_cost_usd)::text FROM cost_sessions") == expected)
            #expect(try db.scalar("""
                SELECT (SELECT sum(input_tokens) FROM cost_tracking) = (SELECT sum(input_tokens) FROM daily_cost_summary)
                   AND (SELECT sum(output_tokens) FROM cost_tracking) = (SELECT sum(output_tokens) FROM cost_sessions)
                """) == "t", "token sums of the aggregates match cost_tracking")
        }
    }
}
