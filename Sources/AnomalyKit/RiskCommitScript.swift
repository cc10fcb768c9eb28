import RedisClient

/// The compare-and-set that publishes one agent's new risk state, atomically with its
/// sessions' states and the seen markers of the events that produced it:
///
///     KEYS[1]            the agent hash (`v` version, `s` state)
///     KEYS[2..1+n]       the n session keys
///     KEYS[2+n..]        the events' seen keys
///     ARGV[1]            the version the state was read at (0: the agent had none)
///     ARGV[2]            the new agent state
///     ARGV[3]            agent TTL (s)    ARGV[4]  n    ARGV[5]  session TTL (s)    ARGV[6]  seen TTL (s)
///     ARGV[7..6+n]       the new session states
///     ARGV[7+n..]        each event's outcome
///
/// Answers 1 when written, 0 when another worker moved the agent's version first: the
/// caller reads again and rescores (events the other worker scored are then seen, not
/// scored twice).
public enum RiskCommitScript {
    public static let script = RedisScript("""
        local v = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
        if v ~= tonumber(ARGV[1]) then return 0 end
        redis.call('HSET', KEYS[1], 'v', v + 1, 's', ARGV[2])
        redis.call('EXPIRE', KEYS[1], ARGV[3])
        local n = tonumber(ARGV[4])
        for i = 1, n do redis.call('SET', KEYS[1 + i], ARGV[6 + i], 'EX', ARGV[5]) end
        for i = 2 + n, #KEYS do redis.call('SET', KEYS[i], ARGV[5 + i], 'EX', ARGV[6]) end
        return 1
        """)

    /// One call (for `evalMany(_:byteCalls:)`): `sessions` are (key, state) pairs, `seen` (key,
    /// outcome) pairs, keys as the UTF-8 bytes sent.
    public static func call(agentKey: [UInt8], version: Int64, state: [UInt8], sessions: [(key: [UInt8], state: [UInt8])],
                         seen: [(key: [UInt8], outcome: [UInt8])]) -> (keys: [[UInt8]], args: [[UInt8]]) {
        var keys: [[UInt8]] = []
        keys.reserveCapacity(1 + sessions.count + seen.count)
        keys.append(agentKey)
        for session in sessions { keys.append(session.key) }
        for marker in seen { keys.append(marker.key) }
        var args: [[UInt8]] = []
        args.reserveCapacity(6 + sessions.count + seen.count)
        args.append(Array(String(version).utf8))
        args.append(state)
        args.append(agentTTLText)
        args.append(Array(String(sessions.count).utf8))
        args.append(sessionTTLText)
        args.append(seenTTLText)
        for session in sessions { args.append(session.state) }
        for marker in seen { args.append(marker.outcome) }
        return (keys, args)
    }

    private static let agentTTLText: [UInt8] = Array(String(RiskStateKeys.agentTTLSeconds).utf8)
    private static let sessionTTLText: [UInt8] = Array(String(RiskStateKeys.sessionTTLSeconds).utf8)
    private static let seenTTLText: [UInt8] = Array(String(RiskStateKeys.seenTTLSeconds).utf8)
}
