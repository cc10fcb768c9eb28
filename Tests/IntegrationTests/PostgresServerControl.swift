import Foundation
import PostgresClient

/// Stops and starts the test PostgreSQL server the way `ops/servers` does, from
/// $COST_DATA/postgres (default <root>/.data/postgres), as the postgres user.
enum PostgresServerControl {
    static let pgCtl = "/usr/lib/postgresql/15/bin/pg_ctl"
    /// `ops/servers` keeps the cluster in $COST_DATA/postgres, or in
    /// /var/tmp/costtracker-pg-<md5 of the root, 8 hex digits> when postgres cannot reach $COST_DATA.
    static var folder: URL {
        let preferred = IntegrationEnvironment.dataFolder.appendingPathComponent("postgres")
        if FileManager.default.fileExists(atPath: preferred.appendingPathComponent("data/PG_VERSION").path) {
            return preferred
        }
        let root = IntegrationEnvironment.packageRoot.path
        let hash = (try? CommandRunner.run(URL(fileURLWithPath: "/bin/bash"),
                                           ["-c", #"echo "$1" | md5sum | cut -c1-8"#, "bash", root]))?
            .standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return URL(fileURLWithPath: "/var/tmp/costtracker-pg-\(hash)")
    }

    static func stop() throws -> CommandRunner.Output {
        try runuser([pgCtl, "-D", folder.appendingPathComponent("data").path, "-m", "fast", "-w", "stop"])
    }

    static func start() throws -> CommandRunner.Output {
        try runuser([pgCtl, "-D", folder.appendingPathComponent("data").path,
                     "-l", folder.appendingPathComponent("postgres.log").path, "-w", "-t", "60", "start"])
    }

    static func isRunning() -> Bool {
        (try? runuser([pgCtl, "-D", folder.appendingPathComponent("data").path, "status"]).status) == 0
    }

    /// Starts the server unless it runs; used in `defer`, so it never throws.
    static func ensureRunning() {
        guard !isRunning() else { return }
        if let output = try? start(), output.status != 0 {
            print("could not restart PostgreSQL: \(output.combined)")
        }
    }

    /// Runs `command` as the postgres user. Every descriptor above 2 is closed first: the
    /// server that `pg_ctl start` leaves running would otherwise inherit the descriptor on
    /// which Foundation's `Process` waits for the end of its child, and never let it end.
    private static func runuser(_ command: [String]) throws -> CommandRunner.Output {
        let closeInherited = #"for fd in /proc/$$/fd/*; do n=${fd##*/}; [ "$n" -gt 2 ] && eval "exec $n>&-"; done; exec "$@""#
        return try CommandRunner.run(URL(fileURLWithPath: "/bin/bash"),
                                     ["-c", closeInherited, "bash", "/usr/sbin/runuser", "-u", "postgres", "--"] + command)
    }

    /// Client sessions on the server other than the harness's own and the workers': another
    /// suite's connections, which an outage would break.
    static func foreignSessions(serverURL: String) -> Int {
        guard let db = try? PGConnection(url: serverURL, applicationName: "it-harness") else { return 0 }
        defer { db.close() }
        let r = try? db.query("""
            SELECT count(*) FROM pg_stat_activity
            WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
              AND application_name NOT IN ('it-harness', 'cost-persist')
            """)
        return Int(r?.rows.first?.first.flatMap { $0 } ?? "0") ?? 0
    }
}
