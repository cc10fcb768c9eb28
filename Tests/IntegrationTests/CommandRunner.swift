import Foundation

/// Runs a command to completion (costctl, pg_ctl) and captures what it printed.
enum CommandRunner {
    struct Output {
        var status: Int32
        var standardOutput: String
        var standardError: String
        var combined: String { "exit \(status)\nstdout:\n\(standardOutput)\nstderr:\n\(standardError)" }
    }

    /// `environment` nil: this process's environment.
    static func run(_ executable: URL, _ arguments: [String], environment: [String: String]? = nil) throws -> Output {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        let folder = FileManager.default.temporaryDirectory
        let stem = "cost-it-cmd-\(IntegrationEnvironment.uniqueSuffix())"
        let out = folder.appendingPathComponent("\(stem).out")
        let err = folder.appendingPathComponent("\(stem).err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        process.waitUntilExit()
        return Output(status: process.terminationStatus,
                      standardOutput: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                      standardError: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    /// `.build/debug/costctl <arguments>` with this process's environment (COST_* from .data/env).
    static func costctl(_ arguments: [String]) throws -> Output {
        try run(try IntegrationEnvironment.executable("costctl"), arguments)
    }
}
