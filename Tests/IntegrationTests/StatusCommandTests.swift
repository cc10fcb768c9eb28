import Foundation
import Testing

/// `costctl status --watch`, what `ops/run` shows until Ctrl-C.
@Suite("costctl status", .serialized, .timeLimit(.minutes(2)))
struct StatusCommandTests {
    @Test("status --watch refreshes until Ctrl-C, then finishes the refresh and exits 0 (not killed by the signal)")
    func watchEndsCleanlyOnInterrupt() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("cost-it-status-\(IntegrationEnvironment.uniqueSuffix()).out")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: out) }
        let database = try ScratchDatabase()
        defer { database.drop() }
        let process = Process()
        process.executableURL = try IntegrationEnvironment.executable("costctl")
        var environment = ProcessInfo.processInfo.environment
        environment["COST_PG_URL"] = database.url
        process.environment = environment
        process.arguments = ["status", "--watch", "--interval", "0.5"]
        process.standardInput = FileHandle.nullDevice
        let handle = try FileHandle(forWritingTo: out)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        func refreshes() -> Int {
            ((try? String(contentsOf: out, encoding: .utf8)) ?? "").components(separatedBy: "cost tracker status at").count - 1
        }
        sleep(2)
        // Printed to a file, the refreshes stay in stdout's buffer until it fills or the
        // process exits; counted again after the exit.
        #expect(process.isRunning, "status --watch stopped by itself: \((try? String(contentsOf: out, encoding: .utf8)) ?? "")")

        kill(process.processIdentifier, SIGINT)
        let stopBy = Date().addingTimeInterval(5)
        while process.isRunning, Date() < stopBy { usleep(50_000) }
        #expect(!process.isRunning, "status --watch should stop within 5 s of Ctrl-C")
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        #expect(process.terminationReason == .exit, "ended by the signal instead of exiting")
        #expect(process.terminationStatus == 0)
        #expect(refreshes() >= 2, "status --watch should have refreshed every 0.5 s")
    }
}
