import AgentSDK
import ArgumentParser
import CostCore
import CostStore
import Foundation
import PostgresClient
import WorkerRuntime

/// A scratch database for benchmarks, and the raw baseline measured in it.
enum BenchDatabase {
    /// Drops and re-creates `<db>_bench` next to the database of `url`, migrates it and
    /// loads the catalog. Returns its URL.
    static func create(from url: String, catalog: String) throws -> (url: String, name: String) {
        guard let slash = url.lastIndex(of: "/"), url[..<slash].contains("@") || url.hasPrefix("postgres") else {
            throw ValidationError("COST_PG_URL must be a postgresql:// URL ending in /<database>")
        }
        let tail = url[url.index(after: slash)...]
        let base = tail.split(separator: "?", maxSplits: 1).first.map(String.init) ?? ""
        let query = tail.contains("?") ? "?" + tail.split(separator: "?", maxSplits: 1)[1] : ""
        var name = base + "_bench"
        let benchURLBase = url[...slash]
        let admin = try PGConnection(url: url, applicationName: "costctl-bench")
        defer { admin.close() }
        // Autovacuum (a superuser's process) may still be busy in the last run's scratch database,
        // and cannot be stopped by us: then this run takes a fresh name.
        do {
            try admin.execute(script: "DROP DATABASE IF EXISTS \"\(name)\" WITH (FORCE)")
        } catch {
            name += "_\(SystemClock.unixMilliseconds)"
            progress("the previous scratch database is busy; using \(name) (drop it later)")
        }
        try admin.execute(script: "CREATE DATABASE \"\(name)\"")
        let benchURL = benchURLBase + name + query
        let db = try PGConnection(url: String(benchURL), applicationName: "costctl-bench")
        defer { db.close() }
        try Migrator.migrate(db)
        if let data = FileManager.default.contents(atPath: catalog) {
            try PricingStore(db: db).upsert(try PricingFile.parseCatalog([UInt8](data)), source: "catalog")
        } else {
            progress("no catalog at \(catalog): events will be priced by the fallback")
        }
        return (String(benchURL), name)
    }

    /// Seconds to write `rows` simulated events the raw way: per batch of 1000, COPY into a
    /// temp table, then INSERT … SELECT … ON CONFLICT DO NOTHING into a table with the same
    /// columns and a unique key, one transaction each.
    static func baseline(url: String, fleet: inout SimulatedFleet, rows: Int) throws -> Double {
        let db = try PGConnection(url: url, applicationName: "costctl-bench")
        defer { db.close() }
        try db.execute(script: """
            DROP TABLE IF EXISTS bench_baseline;
            CREATE TABLE bench_baseline (LIKE cost_tracking INCLUDING DEFAULTS, PRIMARY KEY (event_id));
            CREATE TEMP TABLE bench_stage (LIKE cost_tracking INCLUDING DEFAULTS) ON COMMIT DELETE ROWS;
            """)
        let catalog = try PricingStore(db: db).loadCatalog()
        var batches: [[[String?]]] = []
        var left = rows
        while left > 0 {
            let n = min(1000, left)
            batches.append((0..<n).map { _ in
                let e = fleet.next(at: SystemClock.now())
                return EventRecorder.row(PricedEvent(event: e, cost: CostCalculator.price(e, catalog: catalog)))
            })
            left -= n
        }
        let columns = EventRecorder.columns
        let start = ContinuousClock.now
        for batch in batches {
            try db.transaction { tx in
                try tx.copyIn("COPY bench_stage (\(columns)) FROM STDIN", rows: batch)
                try tx.query("INSERT INTO bench_baseline (\(columns)) SELECT \(columns) FROM bench_stage ON CONFLICT DO NOTHING")
            }
        }
        return BenchWorker.seconds(ContinuousClock.now - start)
    }
}
