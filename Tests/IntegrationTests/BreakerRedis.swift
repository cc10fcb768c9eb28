import CostCore
import Foundation
import RedisClient
import Testing

/// The Redis logical database the breaker suite gives its workers (db 10): COST_REDIS_URL
/// with the database number replaced. The breaker hashes `cost:breaker:*` are global to a
/// database, so the suite takes one of its own and empties it before every test.
final class BreakerRedis {
    static let database = 10
    /// What the workers under test and `costctl breaker status` get.
    let url: String
    private var connection: RedisConnection?

    init() throws {
        let base = try IntegrationEnvironment.required("COST_REDIS_URL")
        url = try BudgetRedis.replacingDatabase(in: base, with: Self.database)
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

    func flush() throws {
        let reply = try open().command(["FLUSHDB"])
        #expect(reply.string == "OK", "FLUSHDB on Redis db \(Self.database) answered \(reply)")
    }

    /// The raw hash `cost:breaker:<scope>` (empty when the key is missing).
    func fields(_ scope: BreakerScope) throws -> [String: String] {
        let reply = try open().command(["HGETALL", scope.redisKey])
        var fields: [String: String] = [:]
        let items = reply.array ?? []
        var i = 0
        while i + 1 < items.count {
            if let k = items[i].string { fields[k] = items[i + 1].string ?? "" }
            i += 2
        }
        return fields
    }

    /// The breaker as an agent reads it (a missing key is closed, version 0).
    func state(_ scope: BreakerScope) throws -> BreakerState {
        try BreakerState(redisFields: try fields(scope))
    }

    /// A budget counter (integer nanodollars) kept by the budget worker in the same database.
    func counter(_ key: String) throws -> Nanodollars {
        let reply = try open().command(["GET", key])
        if case .null = reply { return .zero }
        let text = try #require(reply.string, "GET \(key) answered \(reply)")
        return Nanodollars(try #require(Int64(text), "counter \(key) holds \(text)"))
    }

    /// Any command on the suite's database (e.g. to write a damaged hash).
    @discardableResult
    func command(_ args: [String]) throws -> RedisReply {
        try open().command(args)
    }

    func exists(_ scope: BreakerScope) throws -> Bool {
        try open().command(["EXISTS", scope.redisKey]).int == 1
    }

    /// The agent-side gate rule (contract §4) evaluated on what Redis holds now, with the
    /// pure `BreakerGate.decide`: the fallback reader for when no SDK gate is at hand.
    func decide(agent: String, provider: String, nowMs: Int64 = BreakerClock.nowMs()) throws -> BreakerGate.Decision {
        let states = try BreakerScope.scopes(provider: provider, agentID: agent).map { ($0, try state($0)) }
        return BreakerGate.decide(states: states.map { (scope: $0.0, state: $0.1) }, nowMs: nowMs)
    }
}

/// Wall-clock unix milliseconds, as the breaker worker reads them.
enum BreakerClock {
    static func nowMs() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }
}
