import CostCore
import Foundation
import RedisClient
import Testing

/// The Redis logical database one budget suite gives its workers: COST_REDIS_URL with the
/// database number replaced. Redis keys are global to a database, so each suite takes its
/// own (1–9; other tests use 15, the demo 0) and empties it first.
final class BudgetRedis {
    let database: Int
    /// What the worker under test and `costctl budget status` get.
    let url: String
    private var connection: RedisConnection?

    init(database: Int) throws {
        precondition((1...9).contains(database), "budget suites use Redis databases 1–9")
        self.database = database
        let base = try IntegrationEnvironment.required("COST_REDIS_URL")
        url = try Self.replacingDatabase(in: base, with: database)
        try flush()
    }

    func close() {
        connection?.close()
        connection = nil
    }

    private func open() throws -> RedisConnection {
        if let c = connection, c.isOpen { return c }
        connection?.close()
        let c = try RedisConnection(config: try RedisConfig(url: url))
        connection = c
        return c
    }

    /// FLUSHDB: what a Redis that lost its data looks like to the workers.
    func flush() throws {
        let reply = try open().command(["FLUSHDB"])
        #expect(reply.string == "OK", "FLUSHDB on Redis db \(database) answered \(reply)")
    }

    /// The counter at `key` in integer nanodollars; nil when the key does not exist.
    func counter(_ key: String) throws -> Nanodollars? {
        let reply = try open().command(["GET", key])
        if case .null = reply { return nil }
        let text = try #require(reply.string, "GET \(key) answered \(reply)")
        return Nanodollars(try #require(Int64(text), "counter \(key) holds \(text), not integer nanodollars"))
    }

    /// Keys in the database (counters, dedupe marks, the ready marker).
    func size() throws -> Int {
        Int(try open().command(["DBSIZE"]).int ?? 0)
    }

    func exists(_ key: String) throws -> Bool {
        try open().command(["EXISTS", key]).int == 1
    }

    /// `redis://:pw@host:port/0` → `redis://:pw@host:port/<database>`.
    static func replacingDatabase(in url: String, with database: Int) throws -> String {
        let schemeEnd = try #require(url.firstRange(of: "://"), "COST_REDIS_URL should be a redis:// URL")
        var rest = url[schemeEnd.upperBound...]
        if let query = rest.firstIndex(of: "?") { rest = rest[..<query] }
        let authorityStart = rest.lastIndex(of: "@").map { rest.index(after: $0) } ?? rest.startIndex
        let hostEnd = rest[authorityStart...].firstIndex(of: "/") ?? rest.endIndex
        return String(url[..<hostEnd]) + "/\(database)"
    }
}
