/// The agent-side rule: may this agent call a model now? This comment is the specification
/// for agents in any language (contract v1 §4).
///
/// 1. Read the hashes `cost:breaker:global`, `cost:breaker:provider:<provider>` and
///    `cost:breaker:agent:<agent_id>` (`HGETALL`; a missing key is a closed breaker). A client
///    may cache them and refresh on every message of the Redis channel `cost:breaker:events`.
/// 2. Judge each scope on its own, with `now` in unix milliseconds:
///    - `state` = `closed` → allowed;
///    - else `override_until` > now → allowed by override (no probe is taken);
///    - else `state` = `half_open` and `probes_left` > 0 → allowed as a probe;
///    - else denied (an `open` breaker whose `retry_at` has passed stays denied until the
///      breaker worker moves it to half-open).
/// 3. Combine: if any scope denies, the call is denied. The answer names the denying scope
///    that holds longest, its `reason`, and `retry_at`: 0 when any denying breaker is open
///    only by hand, otherwise the latest `retry_at` among the denying scopes (for a half-open
///    breaker with no probe left that is the end of its probe window). Otherwise, if any scope
///    admits the call only as a probe, the call is a probe; otherwise if any scope admits it
///    only by override, it is allowed by override; otherwise it is plainly allowed.
/// 4. A probe must be taken before the call, from every scope in `probeScopes`, with an
///    atomic decrement that never goes below 0 and only while the breaker is half-open:
///
///        -- KEYS[1] = cost:breaker:<scope>; returns probes left after taking one, or -1
///        if redis.call('HGET', KEYS[1], 'state') ~= 'half_open' then return -1 end
///        local left = tonumber(redis.call('HGET', KEYS[1], 'probes_left') or '0')
///        if left <= 0 then return -1 end
///        return redis.call('HINCRBY', KEYS[1], 'probes_left', -1)
///
///    (A bare `HINCRBY probes_left -1` is wrong: it goes negative under races and creates a
///    hash for a missing key.) If any take returns -1, another agent got the last probe: the
///    call is denied, retry at the window's end; probes already taken are not given back (the
///    next window brings a fresh allowance). Taking a probe is not a change of the breaker: it
///    does not bump `version` nor publish an event.
public enum BreakerGate {
    public enum Decision: Sendable, Equatable {
        case allowed
        case allowedByOverride
        case allowedAsProbe
        case denied(scope: String, reason: String, retryAtMs: Int64)

        public var isAllowed: Bool {
            if case .denied = self { return false }
            return true
        }
    }

    public static func decide(states: [(scope: BreakerScope, state: BreakerState)], nowMs: Int64) -> Decision {
        var denial: (scope: BreakerScope, state: BreakerState)?
        var probe = false
        var override = false
        for entry in states {
            switch judge(entry.state, nowMs: nowMs) {
            case .allowed:
                break
            case .allowedByOverride:
                override = true
            case .allowedAsProbe:
                probe = true
            case .denied:
                let strength = BreakerState.holdStrength(retryAtMs: entry.state.retryAtMs)
                if denial.map({ strength > BreakerState.holdStrength(retryAtMs: $0.state.retryAtMs) }) ?? true {
                    denial = entry
                }
            }
        }
        if let denial {
            return .denied(scope: denial.scope.text, reason: denial.state.reason, retryAtMs: denial.state.retryAtMs)
        }
        if probe { return .allowedAsProbe }
        return override ? .allowedByOverride : .allowed
    }

    /// The scopes from which a probe must be taken before the call (step 4): those that admit
    /// the call only as a probe. Empty unless `decide` answers `.allowedAsProbe`.
    public static func probeScopes(states: [(scope: BreakerScope, state: BreakerState)], nowMs: Int64) -> [BreakerScope] {
        guard decide(states: states, nowMs: nowMs) == .allowedAsProbe else { return [] }
        return states.filter { judge($0.state, nowMs: nowMs) == .allowedAsProbe }.map(\.scope)
    }

    /// One scope on its own (step 2); a denial carries the scope's reason and `retry_at`.
    static func judge(_ state: BreakerState, nowMs: Int64) -> Decision {
        if state.phase == .closed { return .allowed }
        if state.overrideActive(nowMs: nowMs) { return .allowedByOverride }
        if state.phase == .halfOpen, state.probesLeft > 0 { return .allowedAsProbe }
        return .denied(scope: "", reason: state.reason, retryAtMs: state.retryAtMs)
    }
}
