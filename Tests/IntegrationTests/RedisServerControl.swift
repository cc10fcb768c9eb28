import Foundation
import RedisClient

/// Kills the test Redis server (SIGKILL, no chance to clean up: a crash) and starts it again
/// with `ops/servers up`, as an operator would.
enum RedisServerControl {
    /// The server's process id, from the pid file `ops/servers` has it write.
    static func pid() throws -> pid_t {
        let file = IntegrationEnvironment.dataFolder.appendingPathComponent("redis/redis.pid")
        let text = try String(contentsOf: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let pid = pid_t(text), pid > 1 else { throw HarnessFailure("no Redis pid in \(file.path): \(text)") }
        return pid
    }

    static func kill9() throws {
        let pid = try pid()
        guard kill(pid, SIGKILL) == 0 else { throw HarnessFailure("kill -9 \(pid) failed (errno \(errno))") }
    }

    static func isRunning(url: String) -> Bool {
        guard let config = try? RedisConfig(url: url), let connection = try? RedisConnection(config: config) else {
            return false
        }
        defer { connection.close() }
        return (try? connection.command(["PING"]))?.string == "PONG"
    }

    static func start() throws -> CommandRunner.Output {
        try CommandRunner.run(IntegrationEnvironment.packageRoot.appendingPathComponent("ops/servers"), ["up"])
    }

    /// Starts the server unless it runs; used in `defer`, so it never throws.
    static func ensureRunning(url: String) {
        guard !isRunning(url: url) else { return }
        if let output = try? start(), output.status != 0 { print("could not restart Redis: \(output.combined)") }
    }
}
