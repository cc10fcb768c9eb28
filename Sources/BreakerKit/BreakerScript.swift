import RedisClient

/// Redis side of the breaker state (contract §4): hash `cost:breaker:<scope>`, changes also
/// published on channel `cost:breaker:events`.
enum BreakerScript {
    static let channel = "cost:breaker:events"

    /// Compare-and-set on `version`: writes the fields and publishes the change only when the
    /// stored version (missing = 0) is the one the writer read. Two breaker workers therefore
    /// never overwrite each other's change; the loser re-reads and re-applies.
    ///
    ///     KEYS[1] the hash   ARGV[1] expected version   ARGV[2] channel   ARGV[3] payload
    ///     ARGV[4..] field, value, field, value …
    static let compareAndSet = RedisScript("""
        local current = redis.call('HGET', KEYS[1], 'version')
        if (current or '0') ~= ARGV[1] then return 0 end
        redis.call('HSET', KEYS[1], unpack(ARGV, 4))
        redis.call('PUBLISH', ARGV[2], ARGV[3])
        return 1
        """)

    /// Takes one half-open probe if any is left: answers 1 (taken) or 0.
    ///
    ///     KEYS[1] the hash
    static let takeProbe = RedisScript("""
        if redis.call('HGET', KEYS[1], 'state') ~= 'half_open' then return 0 end
        local left = tonumber(redis.call('HGET', KEYS[1], 'probes_left') or '0')
        if left <= 0 then return 0 end
        redis.call('HINCRBY', KEYS[1], 'probes_left', -1)
        return 1
        """)
}
