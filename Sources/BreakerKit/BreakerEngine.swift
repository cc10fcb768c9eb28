import CostCore
import CostStore
import Logging
import PostgresClient
import RedisClient

/// Applies events to breakers: read the hash, run the pure state machine, write back by
/// compare-and-set on `version` (retrying on a lost race with another worker), publish the
/// change, and record it in `breaker_events` with its evidence.
final class BreakerEngine {
    private let redis: RedisConnection
    private let db: PGConnection
    private let config: BreakerConfig
    private let logger: Logger
    private let worker: String

    init(redis: RedisConnection, db: PGConnection, config: BreakerConfig, logger: Logger, worker: String) {
        self.redis = redis
        self.db = db
        self.config = config
        self.logger = logger
        self.worker = worker
    }

    func read(_ scope: BreakerScope) throws -> BreakerState {
        try BreakerState(redisFields: try redis.command(["HGETALL", scope.redisKey]).hashFields)
    }

    /// Returns the transition when the state changed.
    @discardableResult
    func apply(_ event: BreakerEvent, to scope: BreakerScope, evidence: JSONValue) throws -> BreakerTransition? {
        for _ in 0..<20 {
            let current = try read(scope)
            let t = current.transition(event, config: config)
            guard t.changed else { return nil }
            let payload = JSONValue.object([("scope", .string(scope.text))] + t.to.redisFields.map { ($0.0, .string($0.1)) })
            let args = [String(current.version), BreakerScript.channel, payload.serialized()] + t.to.redisFields.flatMap { [$0.0, $0.1] }
            // The record is written in a transaction that commits only if the compare-and-set
            // won, so breaker_events holds exactly the changes that happened.
            let won: Bool
            do {
                won = try db.transaction { tx -> Bool in
                try BreakerStore(db: tx).recordTransition(
                    scope: scope.text, from: t.from.phase.rawValue, to: t.to.phase.rawValue, reason: t.to.reason,
                    version: t.to.version, evidence: evidence, worker: worker)
                    guard try redis.eval(BreakerScript.compareAndSet, keys: [scope.redisKey], args: args).int == 1 else {
                        throw LostRace()
                    }
                    return true
                }
            } catch is LostRace {
                won = false
            }
            if won {
                logger.notice("breaker \(scope.text): \(t.from.phase.rawValue) → \(t.to.phase.rawValue)",
                              metadata: ["reason": "\(t.to.reason)", "version": "\(t.to.version)"])
                return t
            }
            // Another worker changed it first: read again and re-apply.
        }
        throw RedisError(kind: .timeout, message: "breaker \(scope.text) kept changing under us; will retry")
    }

    private struct LostRace: Error {}

    /// Every scope with a breaker hash (SCAN), for the periodic tick.
    func knownScopes() throws -> [BreakerScope] {
        var cursor = "0"
        var scopes: [BreakerScope] = []
        repeat {
            let reply = try redis.command(["SCAN", cursor, "MATCH", BreakerScope.keyPrefix + "*", "COUNT", "500"])
            guard case .array(let parts) = reply, parts.count == 2, let next = parts[0].string,
                  case .array(let keys) = parts[1] else { break }
            cursor = next
            for k in keys.compactMap(\.string) where k.hasPrefix(BreakerScope.keyPrefix) {
                if let s = try? BreakerScope(parsing: String(k.dropFirst(BreakerScope.keyPrefix.count))) { scopes.append(s) }
            }
        } while cursor != "0"
        return scopes
    }

    /// Time passes for one breaker: overrides expire, open → half-open at `retry_at`, and a
    /// half-open window that ended after probes were taken with no new trip closes it (a trip
    /// arriving during the window would have re-opened it).
    func tick(_ scope: BreakerScope, nowMs: Int64) throws {
        let state: BreakerState
        do {
            state = try read(scope)
        } catch let error as BreakerError {
            logger.error("breaker hash \(scope.redisKey) is unreadable, skipping it: \(error); fix or delete the key")
            return
        }
        if state.phase == .halfOpen, nowMs >= state.retryAtMs, state.probesLeft < config.halfOpenProbes {
            try apply(.probeResult(success: true, conditionCleared: true, nowMs: nowMs), to: scope,
                      evidence: .object([("probes_taken", .number(String(config.halfOpenProbes - state.probesLeft))),
                                         ("trips_during_window", .number("0"))]))
        } else {
            try apply(.tick(nowMs: nowMs), to: scope, evidence: .object([("tick", .bool(true))]))
        }
    }
}
