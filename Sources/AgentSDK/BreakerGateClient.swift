import CostCore
import RedisClient
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The agent-side gate: may this agent call this provider's model now? Ask before every call.
///
///     let gate = try AgentGate(redisURL: url, failureMode: .failClosed)
///     gate.start()                                  // subscribes to cost:breaker:events
///     let d = gate.check(agent: "planner@team-a", provider: "openai")
///     guard d.allowed else { wait until d.retryAtMs (0: until an admin acts) }
///
/// It applies contract v1 §4 (`BreakerGate` in CostCore is the rule) to the breakers of
/// `global`, `provider:<p>` and `agent:<a>`. Answers come from an in-process cache of those
/// hashes, kept fresh by the Redis channel `cost:breaker:events`; while the subscription is
/// down the gate reads Redis directly, and after it comes back it resyncs every cached scope.
/// A half-open breaker's probe is always taken in Redis (atomically). When Redis cannot be
/// reached, `failureMode` decides: fail closed (deny) or fail open (allow).
///
/// Thread-safe: `check` may be called from any thread.
public final class AgentGate: Sendable {
    public enum FailureMode: Sendable { case failOpen, failClosed }

    public struct Decision: Sendable, Equatable {
        public enum Kind: String, Sendable { case allowed, allowedByOverride, allowedAsProbe, denied, failedOpen, failedClosed }
        public let kind: Kind
        /// The denying scope, its reason, and when to retry (unix ms; 0 = only when an admin acts).
        public let scope: String?
        public let reason: String?
        public let retryAtMs: Int64?
        /// Whether the answer came from the cache (no Redis round trip).
        public let cached: Bool

        public var allowed: Bool { kind != .denied && kind != .failedClosed }
    }

    static let channel = "cost:breaker:events"
    static let takeProbe = RedisScript("""
        if redis.call('HGET', KEYS[1], 'state') ~= 'half_open' then return -1 end
        local left = tonumber(redis.call('HGET', KEYS[1], 'probes_left') or '0')
        if left <= 0 then return -1 end
        return redis.call('HINCRBY', KEYS[1], 'probes_left', -1)
        """)

    private struct Cache: Sendable {
        var states: [String: BreakerState] = [:]
        var live = false
    }

    private let config: RedisConfig
    private let failureMode: FailureMode
    private let clock: @Sendable () -> Int64
    private let cache = Mutex(Cache())
    private let query: Mutex<RedisHolder>
    private let stopFlag = Atomic<Bool>(false)
    private let running = Atomic<Bool>(false)

    public init(redisURL: String, failureMode: FailureMode = .failClosed,
                clock: @escaping @Sendable () -> Int64 = AgentGate.unixMilliseconds) throws(RedisError) {
        self.config = try RedisConfig(url: redisURL)
        self.failureMode = failureMode
        self.clock = clock
        self.query = Mutex(RedisHolder())
    }

    deinit { stop() }

    /// Starts the subscriber thread that keeps the cache fresh. Without it every check reads
    /// Redis. The thread holds the gate weakly: it ends with `stop()` or when the gate goes.
    public func start() {
        guard !running.exchange(true, ordering: .relaxed) else { return }
        stopFlag.store(false, ordering: .relaxed)
        let box = WeakGate(self)
        var thread = pthread_t()
        let context = Unmanaged.passRetained(box).toOpaque()
        pthread_create(&thread, nil, { raw in
            let box = Unmanaged<WeakGate>.fromOpaque(raw!).takeRetainedValue()
            AgentGate.subscribeLoop(box)
            return nil
        }, context)
        pthread_detach(thread)
    }

    public func stop() {
        stopFlag.store(true, ordering: .relaxed)
    }

    /// Whether answers currently come from the subscription-backed cache.
    public var isLive: Bool { cache.withLock { $0.live } }

    public func check(agent: String, provider: String) -> Decision {
        let scopes = BreakerScope.scopes(provider: provider, agentID: agent)
        let now = clock()
        // Fast path: every scope cached while the subscription is live.
        let cached: [(scope: BreakerScope, state: BreakerState)]? = cache.withLock { c in
            guard c.live else { return nil }
            var out: [(scope: BreakerScope, state: BreakerState)] = []
            out.reserveCapacity(3)
            for s in scopes {
                guard let state = c.states[s.text] else { return nil }
                out.append((s, state))
            }
            return out
        }
        if let cached {
            let d = BreakerGate.decide(states: cached, nowMs: now)
            if d != .allowedAsProbe { return Self.decision(d, cached: true) }
        }
        return checkUncached(scopes: scopes, now: now)
    }

    /// Reads Redis for every scope (and refreshes the cache when live).
    public func checkUncached(agent: String, provider: String) -> Decision {
        checkUncached(scopes: BreakerScope.scopes(provider: provider, agentID: agent), now: clock())
    }

    private func checkUncached(scopes: [BreakerScope], now: Int64) -> Decision {
        do {
            let states = try query.withLock { holder in
                let redis = try holder.connection(config)
                do {
                    let replies = try redis.pipeline(scopes.map { ["HGETALL", $0.redisKey] })
                    return try zip(scopes, replies).map { (scope: $0, state: try BreakerState(redisFields: $1.hashFields)) }
                } catch {
                    holder.drop()
                    throw error
                }
            }
            remember(states)
            let d = BreakerGate.decide(states: states, nowMs: now)
            guard d == .allowedAsProbe else { return Self.decision(d, cached: false) }
            for scope in BreakerGate.probeScopes(states: states, nowMs: now) {
                let left = try query.withLock { holder in
                    try holder.connection(config).eval(Self.takeProbe, keys: [scope.redisKey], args: []).int ?? -1
                }
                if left < 0 {
                    let s = states.first { $0.scope == scope }?.state
                    return Decision(kind: .denied, scope: scope.text, reason: s?.reason ?? "half_open",
                                    retryAtMs: s?.retryAtMs ?? 0, cached: false)
                }
            }
            return Decision(kind: .allowedAsProbe, scope: nil, reason: nil, retryAtMs: nil, cached: false)
        } catch {
            query.withLock { $0.drop() }
            return Decision(kind: failureMode == .failOpen ? .failedOpen : .failedClosed, scope: nil,
                            reason: "breaker state unreachable: \(error)", retryAtMs: nil, cached: false)
        }
    }

    private func remember(_ states: [(scope: BreakerScope, state: BreakerState)]) {
        cache.withLock { c in
            guard c.live else { return }
            for (scope, state) in states where (c.states[scope.text]?.version ?? -1) <= state.version {
                c.states[scope.text] = state
            }
        }
    }

    /// The subscriber: applies every published change to the cache; on any error drops the
    /// cache (answers go to Redis) and reconnects with backoff, then resyncs. Takes the gate
    /// from its weak box on every turn, so a gate dropped without `stop()` ends the thread.
    private static func subscribeLoop(_ box: WeakGate) {
        var pause: Duration = .milliseconds(50)
        // No strong reference to the gate outlives one step, so dropping the gate ends this.
        func live() -> RedisConfig? {
            guard let gate = box.gate, !gate.stopFlag.load(ordering: .relaxed) else { return nil }
            return gate.config
        }
        while let config = live() {
            do {
                let sub = try RedisConnection(config: config)
                defer { sub.close() }
                try sub.subscribe([channel])
                try box.gate?.resync()
                pause = .milliseconds(50)
                while live() != nil {
                    if let message = try sub.nextMessage(timeout: .milliseconds(250)) { box.gate?.apply(message.payload) }
                }
            } catch {
                box.gate?.cache.withLock { $0 = Cache() }
                let (s, a) = pause.components
                var ts = timespec(tv_sec: Int(s), tv_nsec: Int(a / 1_000_000_000))
                nanosleep(&ts, nil)
                pause = min(pause * 2, .seconds(2))
            }
        }
        box.gate?.cache.withLock { $0 = Cache() }
        box.gate?.running.store(false, ordering: .relaxed)
    }

    /// After (re)subscribing: reload every scope the cache knew, then serve from the cache.
    private func resync() throws {
        let known = cache.withLock { Array($0.states.keys) }
        var fresh: [String: BreakerState] = [:]
        if !known.isEmpty {
            try query.withLock { holder in
                let redis = try holder.connection(config)
                let replies = try redis.pipeline(known.map { ["HGETALL", BreakerScope.keyPrefix + $0] })
                for (key, reply) in zip(known, replies) { fresh[key] = try BreakerState(redisFields: reply.hashFields) }
            }
        }
        cache.withLock { c in
            c.states = fresh
            c.live = true
        }
    }

    private func apply(_ payload: [UInt8]) {
        guard case .object(let members)? = try? JSONParser.parse(payload) else { return }
        var fields: [String: String] = [:]
        for (k, v) in members { if case .string(let s) = v { fields[k] = s } }
        guard let scope = fields.removeValue(forKey: "scope"), let state = try? BreakerState(redisFields: fields) else { return }
        cache.withLock { c in
            if (c.states[scope]?.version ?? -1) <= state.version { c.states[scope] = state }
        }
    }

    static func decision(_ d: BreakerGate.Decision, cached: Bool) -> Decision {
        switch d {
        case .allowed: return Decision(kind: .allowed, scope: nil, reason: nil, retryAtMs: nil, cached: cached)
        case .allowedByOverride: return Decision(kind: .allowedByOverride, scope: nil, reason: nil, retryAtMs: nil, cached: cached)
        case .allowedAsProbe: return Decision(kind: .allowedAsProbe, scope: nil, reason: nil, retryAtMs: nil, cached: cached)
        case .denied(let scope, let reason, let retryAt):
            return Decision(kind: .denied, scope: scope, reason: reason, retryAtMs: retryAt, cached: cached)
        }
    }

    @Sendable public static func unixMilliseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}

/// The query connection, opened on demand and dropped after an error. Guarded by a Mutex:
/// hiredis handles are not thread-safe.
struct RedisHolder: ~Copyable {
    private var redis: RedisConnection?

    mutating func connection(_ config: RedisConfig) throws -> RedisConnection {
        if let r = redis, r.isOpen { return r }
        let r = try RedisConnection(config: config)
        redis = r
        return r
    }

    mutating func drop() {
        redis?.close()
        redis = nil
    }
}

/// Hands the gate to its subscriber thread without keeping it alive.
final class WeakGate: @unchecked Sendable {
    // Invariant: `weak` loads and stores are atomic in Swift; the gate itself is Sendable.
    weak var gate: AgentGate?
    init(_ gate: AgentGate) { self.gate = gate }
}
