/// The Redis form of a breaker (contract v1 §4): the hash at `cost:breaker:<scope>`.
///
/// | field | value |
/// |---|---|
/// | `state` | `closed`, `open` or `half_open` |
/// | `reason` | reason code of the last change |
/// | `since` | unix ms of the last change |
/// | `retry_at` | open: unix ms when it becomes half-open (0: only by hand); half-open: end of the probe window |
/// | `override_until` | unix ms until which an override lets calls through (0: none) |
/// | `version` | incremented on every change |
/// | `probes_left` | extension: half-open probes still available (agents decrement it, never below 0) |
/// | `cooldown_ms` | extension: how long the breaker re-opens for after a failed trial (0: by hand) |
///
/// Integers are written in decimal. A missing key (an empty hash) means closed.
extension BreakerState {
    public static let fieldNames = [
        "state", "reason", "since", "retry_at", "override_until", "version", "probes_left", "cooldown_ms",
    ]

    /// All fields, in the order above, for one `HSET key f1 v1 f2 v2 …`.
    public var redisFields: [(String, String)] {
        [
            ("state", phase.rawValue), ("reason", reason), ("since", String(sinceMs)),
            ("retry_at", String(retryAtMs)), ("override_until", String(overrideUntilMs)),
            ("version", String(version)), ("probes_left", String(probesLeft)), ("cooldown_ms", String(cooldownMs)),
        ]
    }

    /// Reads a hash as returned by `HGETALL`. No `state` field (a missing key) → `.closed`,
    /// keeping `version` if one is there so the next write continues the sequence. Absent
    /// numeric fields read as 0; a negative `probes_left` (a racing decrement) reads as 0.
    /// Throws for an unknown `state` or a field that is not a non-negative decimal integer.
    public init(redisFields fields: [String: String]) throws(BreakerError) {
        let version = try Self.integer(fields, "version")
        guard let stateText = fields["state"], !stateText.isEmpty else {
            self = .closed
            self.version = version
            return
        }
        guard let phase = BreakerPhase(rawValue: stateText) else {
            throw BreakerError("breaker field state is \(BudgetError.quoted(stateText)); expected closed, open or half_open")
        }
        var probes: Int64 = 0
        if let text = fields["probes_left"], !text.isEmpty {
            guard let value = Int64(text) else { throw Self.notInteger("probes_left", text) }
            probes = max(0, value)
        }
        self.init(
            phase: phase, reason: fields["reason"] ?? "", sinceMs: try Self.integer(fields, "since"),
            retryAtMs: try Self.integer(fields, "retry_at"), overrideUntilMs: try Self.integer(fields, "override_until"),
            version: version, probesLeft: Int(clamping: probes), cooldownMs: try Self.integer(fields, "cooldown_ms")
        )
    }

    private static func integer(_ fields: [String: String], _ name: String) throws(BreakerError) -> Int64 {
        guard let text = fields[name], !text.isEmpty else { return 0 }
        guard let value = Int64(text), value >= 0 else { throw notInteger(name, text) }
        return value
    }

    private static func notInteger(_ name: String, _ text: String) -> BreakerError {
        BreakerError("breaker field \(name) is \(BudgetError.quoted(text)); expected a non-negative decimal integer")
    }
}
