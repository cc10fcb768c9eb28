import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// One `cost-persist` process under test. Its output goes to a temporary log file that the
/// failure messages quote. The URLs travel in the environment (flags show up in `ps`).
final class WorkerProcess {
    let name: String
    let logFile: URL
    let errorFile: URL
    private let process = Process()
    private let secrets: [String]
    private var terminateSentAt: ContinuousClock.Instant?

    /// Starts `cost-persist` with `arguments` (the queue, batch size, …). `metricsPort` nil
    /// turns the endpoint off; 0 picks a free port (see `metricsPort()`).
    init(name: String, amqpURL: String, pgURL: String, arguments: [String], metricsPort: Int? = nil) throws {
        self.name = name
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cost-it-logs", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let stem = "\(name)-\(IntegrationEnvironment.uniqueSuffix())"
        logFile = folder.appendingPathComponent("\(stem).out.log")
        errorFile = folder.appendingPathComponent("\(stem).err.log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        secrets = [amqpURL, pgURL].compactMap(IntegrationEnvironment.password(in:))

        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("COST_") }
        environment["COST_AMQP_URL"] = amqpURL
        environment["COST_PG_URL"] = pgURL
        process.executableURL = try IntegrationEnvironment.executable("cost-persist")
        // -1 (off) goes through the environment: as a flag value it would read as an option.
        environment["COST_METRICS_PORT"] = metricsPort.map(String.init) ?? "-1"
        process.arguments = arguments + ["--instance", name]
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: logFile)
        process.standardError = try FileHandle(forWritingTo: errorFile)
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    var isRunning: Bool { process.isRunning }
    /// True once the process died of a signal (e.g. after `kill9()`).
    var diedOfSignal: Bool { !process.isRunning && process.terminationReason == .uncaughtSignal }
    var pid: Int32 { process.processIdentifier }

    /// Standard error (where the worker logs) followed by standard output.
    var log: String {
        let err = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
        let out = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
        return err + out
    }

    var standardError: String { (try? String(contentsOf: errorFile, encoding: .utf8)) ?? "" }

    /// The last lines of the log, for failure messages.
    var logTail: String {
        let lines = log.split(separator: "\n", omittingEmptySubsequences: false)
        return "--- \(name) (pid \(pid)) log, last lines of \(errorFile.path) ---\n"
            + lines.suffix(40).joined(separator: "\n")
    }

    /// Waits up to `limit` for the process to exit; its exit code, nil if it still runs.
    func waitForExit(within limit: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + limit
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// SIGTERM, then expects a graceful exit with code 0 within `limit`.
    func terminate(within limit: Duration = .seconds(15)) async {
        sendTerminate()
        await expectGracefulExit(within: limit)
    }

    /// SIGTERM without waiting (to stop several workers at once).
    func sendTerminate() {
        guard process.isRunning else {
            Issue.record("\(name) had already exited (status \(process.terminationStatus)) before SIGTERM\n\(logTail)")
            return
        }
        terminateSentAt = ContinuousClock.now
        process.terminate()
    }

    /// After `sendTerminate()`: the process exits with code 0 within `limit` of the signal.
    func expectGracefulExit(within limit: Duration = .seconds(15)) async {
        let sent = terminateSentAt ?? ContinuousClock.now
        let code = await waitForExit(within: limit - (ContinuousClock.now - sent))
        if code == nil { kill9() }
        #expect(code == 0, "\(name) should exit 0 within \(limit) of SIGTERM (took \(ContinuousClock.now - sent))\n\(logTail)")
        #expect(process.terminationReason == .exit, "\(name) should exit, not die of a signal\n\(logTail)")
    }

    /// SIGKILL: no chance to ack or clean up.
    func kill9() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// The port of /metrics, read from the log line "metrics and health on http://host:PORT/…".
    func metricsPort(within limit: Duration = .seconds(15)) async throws -> Int {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let range = log.firstRange(of: "metrics and health on http://127.0.0.1:") {
                let digits = log[range.upperBound...].prefix { $0.isNumber }
                if let port = Int(digits) { return port }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("\(name) never logged its metrics port\n\(logTail)")
        throw HarnessFailure("no metrics port")
    }

    /// No password of the URLs it was given appears in anything it wrote.
    func expectNoSecretsInLog() {
        let text = log
        for secret in secrets {
            #expect(!text.contains(secret), "\(name) wrote a password into its log (\(errorFile.path))")
        }
    }
}

struct HarnessFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
