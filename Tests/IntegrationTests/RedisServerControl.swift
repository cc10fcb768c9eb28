import Foundation
import RedisClient

/// Stops the test Redis server the orderly way (`SHUTDOWN`: the append-only file is written
/// out first, as at any restart) and starts it again with `ops/servers up`, as an operator
/// would.
enum RedisServerControl {
    static func stop(url: String) throws {
        let connection = try RedisConnection(config: try RedisConfig(url: url))
        defer { connection.close() }
        _ = try? connection.command(["SHUTDOWN"])  // the server closes the connection instead of answering
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
