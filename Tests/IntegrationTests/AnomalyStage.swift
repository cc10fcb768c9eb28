import AnomalyKit
import CostCore
import Foundation
import RedisClient
import Testing

/// What one anomaly test runs against: a scratch database, a scratch queue, a Redis database
/// of its own and a tap on `cost.alerts` / `cost.signals`.
final class AnomalyStage {
    let db: ScratchDatabase
    let queues: ScratchQueues
    let redis: BudgetRedis
    let tap: BudgetAlertTap
    let catalog: PricingCatalog
    private(set) var workers: [AnomalyWorkerProcess] = []
    private var connection: RedisConnection?

    init(redisDatabase: Int) throws {
        db = try ScratchDatabase()
        queues = try ScratchQueues()
        redis = try BudgetRedis(database: redisDatabase)
        tap = try BudgetAlertTap()
        catalog = try ScratchDatabase.catalog()
    }

    func tearDown() {
        for w in workers { w.kill9() }
        tap.delete()
        queues.delete()
        db.drop()
        try? redis.flush()
        redis.close()
        connection?.close()
    }

    @discardableResult
    func startWorker(_ name: String, extra: [String] = []) throws -> AnomalyWorkerProcess {
        let w = try AnomalyWorkerProcess(name: name, queue: queues.queue, pgURL: db.url, redisURL: redis.url, extra: extra)
        workers.append(w)
        return w
    }

    func stopWorkers() async {
        for w in workers where w.isRunning {
            await w.terminate()
            w.expectNoSecretsInLog()
        }
    }

    var diagnostics: String {
        workers.map(\.logTail).joined(separator: "\n") + "\n" + queues.deadLetterSummary()
    }

    // MARK: what the workers wrote

    func command(_ args: [String]) throws -> RedisReply {
        if connection == nil || !(connection?.isOpen ?? false) {
            connection = try RedisConnection(config: try RedisConfig(url: redis.url))
        }
        return try connection!.command(args)
    }

    /// How many events carry a seen marker (were scored).
    func scoredCount() throws -> Int {
        Int(try command(["EVAL", "return #redis.call('KEYS', ARGV[1])", "0", "cost:risk:seen:*"]).int ?? -1)
    }

    /// The stored outcome of every scored event.
    func outcomes(_ eventIDs: [String]) throws -> [String: RiskAssessment] {
        var out: [String: RiskAssessment] = [:]
        for id in eventIDs {
            if case .bulk(let bytes) = try command(["GET", RiskStateKeys.seen(eventID: id)]) {
                let outcome = try #require(RiskOutcome.decode(bytes), "seen marker of \(id) does not decode")
                out[id] = outcome
            }
        }
        return out
    }

    /// The agent's state as the workers left it.
    func agentState(_ agentID: String) throws -> AgentRiskState? {
        guard case .array(let fields) = try command(["HMGET", RiskStateKeys.agent(agentID), "s"]),
              case .bulk(let bytes)? = fields.first else { return nil }
        return try AgentRiskState(decoding: bytes)
    }

    /// security_events as event_id → (score, level).
    func securityEvents() throws -> [String: (score: Int, level: String)] {
        var out: [String: (Int, String)] = [:]
        for r in try db.query("SELECT event_id, score::text, level FROM security_events").rows {
            out[r[0] ?? ""] = (Int(r[1] ?? "") ?? -1, r[2] ?? "")
        }
        return out
    }

    /// Rows of cost_alerts of the risk kinds as "kind|subject|hour" → how often.
    func riskAlerts() throws -> [String: Int] {
        var out: [String: Int] = [:]
        for r in try db.query("SELECT kind, subject, period_key FROM cost_alerts WHERE kind LIKE 'risk_%'").rows {
            out[(0..<3).map { r[$0] ?? "" }.joined(separator: "|"), default: 0] += 1
        }
        return out
    }

    /// The alert identity an event at this level leads to.
    static func alertIdentity(_ event: UsageEvent, _ level: RiskLevel) -> String {
        "\(level == .critical ? "risk_critical" : "risk_high")|agent:\(event.agentID)|\(event.occurredAt.rfc3339.prefix(13))"
    }
}
