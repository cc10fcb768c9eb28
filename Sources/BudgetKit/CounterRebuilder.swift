import CostCore
import CostStore
import Logging
import PostgresClient
import RedisClient
import WorkerRuntime

/// Restores the counters after Redis lost its data (restart without persistence, FLUSHALL):
/// PostgreSQL is the record, Redis a cache.
///
/// 1. Take `cost:budget:rebuild-lock` (one instance rebuilds; the others wait for the ready
///    marker, since every script call answers "not ready" until then).
/// 2. In one REPEATABLE READ snapshot: sum `cost_tracking` per counter of the current and
///    previous periods, and collect the event_ids stored since the earliest of them.
/// 3. Write the sums, mark those event_ids as counted, set `cost:budget:ready`.
/// 4. For `tailSeconds` after the snapshot time (the value of `cost:budget:ready`), every
///    instance also counts rows the persist worker stores later (deduplicated by the same
///    script): events counted and acked before the loss, but not yet in PostgreSQL at the
///    snapshot. The window comes from Redis, so it survives reconnects and the crash of the
///    instance that rebuilt.
final class CounterRebuilder {
    private let db: PGConnection
    private let redis: RedisConnection
    private let logger: Logger
    private let tailSeconds: Int64

    init(db: PGConnection, redis: RedisConnection, logger: Logger, tailSeconds: Int64) {
        self.db = db
        self.redis = redis
        self.logger = logger
        self.tailSeconds = tailSeconds
    }

    func rebuild(rules: BudgetRules, now: Timestamp) throws {
        let lock = try redis.command(["SET", CounterScript.rebuildLockKey, "1", "NX", "EX", "300"])
        guard lock.string == "OK" else {
            logger.info("another instance is rebuilding the counters; waiting")
            for _ in 0..<600 {
                if try redis.command(["EXISTS", CounterScript.readyKey]).int == 1 { return }
                SystemClock.sleep(.milliseconds(100))
            }
            throw StoreError(code: .database, message: "counters still not rebuilt after 60 s", isRetriable: true)
        }
        defer { _ = try? redis.command(["DEL", CounterScript.rebuildLockKey]) }
        let started = ContinuousClock.now
        let targets = try rules.currentTargets(now: now)
        let snapshotTime = now
        var sums: [(String, Nanodollars, Int64)] = []
        var ids: [String] = []
        try db.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        do {
            let store = BudgetStore(db: db)
            for (target, scope, _) in targets {
                let end = target.periodEnd ?? Timestamp(microsecondsSinceEpoch: Int64.max / 2)
                sums.append((target.key, try store.recordedSpend(scope: scope, from: target.periodStart, to: end),
                             target.ttlSeconds(now: now)))
            }
            if let earliest = targets.map(\.target.periodStart).min() {
                ids = try db.query("SELECT event_id FROM cost_event_ids WHERE occurred_at >= $1", [earliest.rfc3339])
                    .rows.compactMap { $0[0] }
            }
            try db.query("COMMIT")
        } catch {
            _ = try? db.query("ROLLBACK")
            throw error
        }
        for chunk in stride(from: 0, to: sums.count, by: 500) {
            _ = try redis.pipeline(sums[chunk..<min(chunk + 500, sums.count)].map { key, value, ttl in
                ["SET", key, String(value.value), "EX", String(ttl)]
            })
        }
        let dedupeTTL = String(40 * 86_400)
        for chunk in stride(from: 0, to: ids.count, by: 1000) {
            _ = try redis.pipeline(ids[chunk..<min(chunk + 1000, ids.count)].map {
                ["SET", CounterScript.dedupeKey(eventID: $0), "1", "EX", dedupeTTL]
            })
        }
        try redis.command(["SET", CounterScript.readyKey, snapshotTime.rfc3339])
        logger.warning("rebuilt the budget counters from PostgreSQL", metadata: [
            "counters": "\(sums.count)", "events": "\(ids.count)", "took": "\(ContinuousClock.now - started)"])
    }

    /// During the tail window after the last rebuild, counts rows stored since `watermark`
    /// (overlapping by a minute: the script deduplicates). Returns the new watermark and the
    /// totals of the counters it touched, so alerts can be evaluated on them.
    func tail(rules: BudgetRules, watermark: Timestamp?, now: Timestamp) throws
        -> (watermark: Timestamp?, totals: [CounterTarget: Nanodollars]) {
        guard let readyText = try redis.command(["GET", CounterScript.readyKey]).string,
              let rebuiltAt = Timestamp.parseRFC3339(readyText),
              now < rebuiltAt.adding(seconds: tailSeconds) else { return (nil, [:]) }
        let from = max(watermark ?? rebuiltAt.adding(seconds: -60), rebuiltAt.adding(seconds: -60))
        let rows = try db.query("""
            SELECT event_id, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), session_id, agent_id,
                   provider, model, cost_usd::text, tags::text,
                   to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
            FROM cost_tracking WHERE recorded_at >= $1 ORDER BY recorded_at LIMIT 50000
            """, [from.rfc3339]).rows
        var rulesCopy = rules
        var calls: [(keys: [String], args: [String])] = []
        var targets: [[CounterTarget]] = []
        var newest = from
        for r in rows {
            guard let id = r[0], let occurred = r[1].flatMap(Timestamp.parseRFC3339), let cost = try? Nanodollars.parseUSD(r[6] ?? "")
            else { continue }
            if let recorded = r[8].flatMap(Timestamp.parseRFC3339), recorded > newest { newest = recorded }
            let event = UsageEvent(eventID: id, occurredAt: occurred, sessionID: r[2] ?? "", agentID: r[3] ?? "",
                                   provider: r[4] ?? "", model: r[5] ?? "", inputTokens: 0, outputTokens: 0,
                                   tags: Self.tags(r[7]))
            let t = try rulesCopy.targets(for: event)
            guard !t.isEmpty else { continue }
            calls.append(CounterScript.call(eventID: id, cost: cost, targets: t, now: now))
            targets.append(t)
        }
        var totals: [CounterTarget: Nanodollars] = [:]
        if !calls.isEmpty {
            for (reply, t) in zip(try redis.evalMany(CounterScript.script, calls: calls), targets) {
                guard case .array(let values) = reply, (values.first?.int ?? -1) >= 0 else { continue }
                for (target, value) in zip(t, values.dropFirst()) { totals[target] = Nanodollars(value.int ?? 0) }
            }
        }
        return (newest.adding(seconds: -60), totals)
    }

    static func tags(_ text: String?) -> [String: String] {
        guard let text, case .object(let members)? = try? JSONParser.parse(Array(text.utf8)) else { return [:] }
        var out: [String: String] = [:]
        for (k, v) in members { if case .string(let s) = v { out[k] = s } }
        return out
    }
}
