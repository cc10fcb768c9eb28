import CostCore
import CostStore
import Foundation
import PostgresClient
import Testing

/// A database of its own for one test: `it_<random>` on the server of COST_PG_URL, migrated
/// and loaded with ops/pricing/catalog.json (unless asked for an empty one), dropped by `drop()`.
final class ScratchDatabase {
    let name: String
    /// COST_PG_URL with the database name replaced: what the worker under test gets.
    let url: String
    private let serverURL: String
    private var connection: PGConnection?
    /// Whether this database still counts as open for `PostgresOutageGate`.
    private var holdsGate = false

    /// The catalog the test computes expected costs with: the same file the database holds.
    static func catalog() throws -> PricingCatalog {
        let bytes = try Data(contentsOf: IntegrationEnvironment.pricingCatalogFile)
        return PricingCatalog(prices: try PricingFile.parseCatalog(Array(bytes)))
    }

    init(migrated: Bool = true) throws {
        serverURL = try IntegrationEnvironment.pgURL()
        name = "it_\(IntegrationEnvironment.uniqueSuffix())"
        url = try Self.replacingDatabase(in: serverURL, with: name)
        PostgresOutageGate.enter()
        holdsGate = true
        // From here on a throw runs deinit, which releases the gate.
        let admin = try PGConnection(url: serverURL, applicationName: "it-harness")
        defer { admin.close() }
        try admin.execute(script: "CREATE DATABASE \(name)")
        if migrated {
            let db = try open()
            try Migrator.migrate(db)
            let bytes = try Data(contentsOf: IntegrationEnvironment.pricingCatalogFile)
            try PricingStore(db: db).upsert(try PricingFile.parseCatalog(Array(bytes)), source: "integration-test")
        }
    }

    deinit { releaseGate() }

    private func releaseGate() {
        if holdsGate { PostgresOutageGate.leave() }
        holdsGate = false
    }

    /// Drops the database, closing the worker connections still on it.
    func drop() {
        defer { releaseGate() }
        connection?.close()
        connection = nil
        guard let admin = try? PGConnection(url: serverURL, applicationName: "it-harness") else { return }
        _ = try? admin.execute(script: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        admin.close()
    }

    /// The harness's own connection; reopened after the server restarted.
    private func open() throws -> PGConnection {
        if let c = connection, c.isOpen { return c }
        connection?.close()
        let c = try PGConnection(url: url, applicationName: "it-harness")
        connection = c
        return c
    }

    @discardableResult
    func query(_ sql: String, _ params: [String?] = []) throws -> PGResult {
        do {
            return try open().query(sql, params)
        } catch let error as PGError where error.kind == .connection {
            connection?.close()
            connection = nil
            return try open().query(sql, params)
        }
    }

    /// The first column of the first row, as text ("" for NULL).
    func scalar(_ sql: String, _ params: [String?] = []) throws -> String {
        let result = try query(sql, params)
        try #require(!result.rows.isEmpty && !result.columns.isEmpty, "no result for \(sql)")
        return result.rows[0][0] ?? ""
    }

    func count(_ sql: String, _ params: [String?] = []) throws -> Int {
        let text = try scalar(sql, params)
        return try #require(Int(text), "\(sql) returned \(text), not a count")
    }

    /// Rows in the idempotency ledger: events counted so far.
    func storedEvents() throws -> Int {
        try count("SELECT count(*) FROM cost_event_ids")
    }

    /// `postgresql://u:p@h:port/db?x` → `postgresql://u:p@h:port/<database>?x`.
    static func replacingDatabase(in url: String, with database: String) throws -> String {
        let schemeEnd = try #require(url.firstRange(of: "://"), "COST_PG_URL should be a postgresql:// URL")
        let rest = url[schemeEnd.upperBound...]
        let query = rest.firstIndex(of: "?")
        let pathEnd = query ?? rest.endIndex
        let slash = try #require(rest[..<pathEnd].firstIndex(of: "/"), "COST_PG_URL should name a database")
        return String(url[..<slash]) + "/" + database + String(url[pathEnd...])
    }
}
