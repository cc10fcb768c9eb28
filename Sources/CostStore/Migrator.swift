import PostgresClient

/// Applies `Migration.all` to a database and tells workers whether the schema is current.
public enum Migrator {
    /// Arbitrary constant: serialises concurrent `costctl migrate` runs.
    static let advisoryLockKey = "7215392001"

    /// The highest applied version, 0 for an empty database.
    public static func currentVersion(_ db: PGConnection) throws(StoreError) -> Int {
        try store {
            let exists = try db.query("SELECT to_regclass('public.schema_migrations') IS NOT NULL AS present")
            guard exists[0, "present"] == "t" else { return 0 }
            let row = try db.query("SELECT coalesce(max(version), 0) AS v FROM schema_migrations")
            return Int(row[0, "v"] ?? "0") ?? 0
        }
    }

    /// Applies every pending migration in order, each in its own transaction. Returns what
    /// it applied; calls `progress` before each one.
    @discardableResult
    public static func migrate(_ db: PGConnection, progress: (Migration) -> Void = { _ in }) throws(StoreError) -> [Migration] {
        try store {
            try db.query("SELECT pg_advisory_lock($1)", [advisoryLockKey])
            defer { _ = try? db.query("SELECT pg_advisory_unlock($1)", [advisoryLockKey]) }
            try db.execute(script: """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version    integer PRIMARY KEY,
                    name       text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """)
            let current = try currentVersion(db)
            var applied: [Migration] = []
            for migration in Migration.all where migration.version > current {
                progress(migration)
                try db.transaction { tx in
                    try tx.execute(script: migration.sql)
                    try tx.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                                 [String(migration.version), migration.name])
                }
                applied.append(migration)
            }
            return applied
        }
    }

    /// Throws, with the command to run, unless the database is at exactly the version this
    /// build expects.
    public static func requireCurrent(_ db: PGConnection) throws(StoreError) {
        let current = try currentVersion(db)
        let required = Migration.latestVersion
        if current < required {
            throw StoreError(code: .notMigrated, message:
                "the database schema is at version \(current) but this build needs version \(required): "
                + "run `costctl migrate` (with COST_PG_URL pointing at the same database) and start again",
                isRetriable: false)
        }
        if current > required {
            throw StoreError(code: .newerSchema, message:
                "the database schema is at version \(current), newer than this build knows (\(required)): "
                + "upgrade this worker to the release that migrated the database", isRetriable: false)
        }
    }
}
