import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// One worker executable under test (`cost-budget`, `cost-breaker`): its output goes to
/// temporary log files that failure messages quote, and the URLs travel in the environment
/// (flags show up in `ps`). `BudgetWorkerProcess` and `BreakerWorkerProcess` start it with
/// their own flags.
class SpawnedWorker {
    let name: String
    let errorFile: URL
    private let outputFile: URL
    let process = Process()
    private let secrets: [String]

    init(executable: String, name: String, amqpURL: String, pgURL: String, redisURL: String,
         arguments: [String], environment extra: [String: String] = [:]) throws {
        self.name = name
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cost-it-logs", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let stem = "\(name)-\(IntegrationEnvironment.uniqueSuffix())"
        outputFile = folder.appendingPathComponent("\(stem).out.log")
        errorFile = folder.appendingPathComponent("\(stem).err.log")
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        secrets = [amqpURL, pgURL, redisURL].compactMap(IntegrationEnvironment.password(in:))

        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("COST_") }
        environment["COST_AMQP_URL"] = amqpURL
        environment["COST_PG_URL"] = pgURL
        environment["COST_REDIS_URL"] = redisURL
        environment.merge(extra) { _, new in new }
        process.executableURL = try IntegrationEnvironment.executable(executable)
        process.arguments = arguments
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: outputFile)
        process.standardError = try FileHandle(forWritingTo: errorFile)
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    var isRunning: Bool { process.isRunning }
    var diedOfSignal: Bool { !process.isRunning && process.terminationReason == .uncaughtSignal }

    var log: String {
        ((try? String(contentsOf: errorFile, encoding: .utf8)) ?? "") + ((try? String(contentsOf: outputFile, encoding: .utf8)) ?? "")
    }

    /// The last lines of the log, for failure messages.
    var logTail: String {
        let lines = log.split(separator: "\n", omittingEmptySubsequences: false)
        return "--- \(name) (pid \(process.processIdentifier)) log, last lines of \(errorFile.path) ---\n"
            + lines.suffix(30).joined(separator: "\n")
    }

    /// SIGKILL: no chance to ack, publish or clean up.
    func kill9() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Waits up to `limit` for the process to exit; its exit code, nil if it still runs.
    func waitForExit(within limit: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + limit
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// SIGTERM, then expects exit code 0 within `limit`.
    func terminate(within limit: Duration = .seconds(15)) async {
        guard process.isRunning else {
            Issue.record("\(name) had already exited (status \(process.terminationStatus)) before SIGTERM\n\(logTail)")
            return
        }
        process.terminate()
        let exited = await waitForExit(within: limit) != nil
        if !exited { kill9() }
        #expect(exited && process.terminationReason == .exit && process.terminationStatus == 0,
                "\(name) should exit 0 within \(limit) of SIGTERM\n\(logTail)")
    }

    /// No password of the URLs it was given appears in anything it wrote.
    func expectNoSecretsInLog() {
        let text = log
        for secret in secrets {
            #expect(!text.contains(secret), "\(name) wrote a password into its log (\(errorFile.path))")
        }
    }
}
