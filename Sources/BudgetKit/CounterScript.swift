import CostCore
import RedisClient

/// The one Lua script that moves spend counters, atomically per event:
///
///     KEYS[1]   the ready marker (missing after Redis lost its data: answer {-1})
///     KEYS[2]   the event's dedupe key (SET NX with a TTL)
///     KEYS[3..] the counters the event counts toward
///     ARGV[1]   the event's cost in integer nanodollars
///     ARGV[2]   dedupe TTL in seconds
///     ARGV[3..] each counter's TTL in seconds (set when the counter is created)
///
/// Answers {1, totals…} when the event was counted now, {0, totals…} when it had been
/// counted before (redelivery, another instance), so alerts can still be evaluated on the
/// current totals, or {-1} when the counters must be rebuilt first.
enum CounterScript {
    static let readyKey = "cost:budget:ready"
    static let rebuildLockKey = "cost:budget:rebuild-lock"

    static func dedupeKey(eventID: String) -> String { "cost:budget:seen:" + eventID }

    /// One call of the script for an event: its dedupe key lives until the latest period it
    /// counts toward has ended plus 2 days (at least 2 days), each new counter as long as
    /// `CounterTarget.ttlSeconds` says.
    static func call(eventID: String, cost: Nanodollars, targets: [CounterTarget], now: Timestamp)
        -> (keys: [String], args: [String]) {
        let counterTTLs = targets.map { $0.ttlSeconds(now: now) }
        let dedupeTTL = max((counterTTLs.max() ?? 0) - 33 * 86_400, 2 * 86_400)
        return (keys: [readyKey, dedupeKey(eventID: eventID)] + targets.map(\.key),
                args: [String(cost.value), String(dedupeTTL)] + counterTTLs.map(String.init))
    }

    static let script = RedisScript("""
        if redis.call('EXISTS', KEYS[1]) == 0 then return {-1} end
        local fresh = redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[2])
        local out = {fresh and 1 or 0}
        for i = 3, #KEYS do
          local v
          if fresh then
            v = redis.call('INCRBY', KEYS[i], ARGV[1])
            if redis.call('TTL', KEYS[i]) == -1 then redis.call('EXPIRE', KEYS[i], ARGV[i]) end
          else
            v = tonumber(redis.call('GET', KEYS[i]) or '0')
          end
          out[#out + 1] = v
        end
        return out
        """)
}
