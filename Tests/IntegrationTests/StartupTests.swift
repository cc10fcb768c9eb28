import Foundation
import Testing

extension PersistIntegration {
    @Suite(.serialized, .timeLimit(.minutes(10)))
    struct StartupTests {
        @Test("against an unmigrated database the worker exits non-zero at once and says to run `costctl migrate`")
        func unmigratedDatabase() async throws {
            let db = try ScratchDatabase(migrated: false)
            defer { db.drop() }
            let queues = try ScratchQueues()
            defer { queues.delete() }

            let started = ContinuousClock.now
            let worker = try WorkerProcess(
                name: "persist-unmigrated", amqpURL: try IntegrationEnvironment.adminAMQPURL(), pgURL: db.url,
                arguments: ["--queue", queues.queue, "--dead-letter-key", queues.deadLetterKey])
            let code = await worker.waitForExit(within: .seconds(10))
            if code == nil { worker.kill9() }
            #expect(code != nil, "the worker should give up within 10 s, it still ran after \(ContinuousClock.now - started)\n\(worker.logTail)")
            #expect(code.map { $0 != 0 } ?? false, "the exit code must say it failed\n\(worker.logTail)")
            #expect(worker.standardError.contains("costctl migrate"),
                    "standard error should tell the operator to run `costctl migrate`\n\(worker.logTail)")
            #expect(worker.standardError.contains("allocator=jemalloc 5."),
                    "the worker should log at start that jemalloc serves its memory\n\(worker.logTail)")
            worker.expectNoSecretsInLog()
        }
    }
}
