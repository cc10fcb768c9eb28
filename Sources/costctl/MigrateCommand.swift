import ArgumentParser
import CostStore

struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending schema migrations to the database in COST_PG_URL.",
        discussion: "Safe to run again: applied versions are skipped, and concurrent runs wait for each other.")

    @Flag(help: "Only print the current and the required schema version.")
    var check = false

    func run() throws {
        let db = try CLIEnvironment.postgres()
        defer { db.close() }
        let before = try Migrator.currentVersion(db)
        if check {
            print("schema version \(before); this build needs \(Migration.latestVersion)")
            if before != Migration.latestVersion { throw ExitCode(3) }
            return
        }
        let applied = try Migrator.migrate(db) { m in progress("applying migration \(m.version): \(m.name)") }
        print(applied.isEmpty ? "schema already at version \(before); nothing to do"
                              : "applied \(applied.count) migration(s); schema now at version \(Migration.latestVersion)")
    }
}
