/// A signed admin command, `cost.control.v1` (contract v1 §3):
///
///     {"schema":"cost.control.v1","command_id":"cmd-42","issued_at":"2026-11-27T05:00:00Z",
///      "issuer":"alice","key_id":"alice-2026","action":"override",
///      "override_code":"EMERGENCY_OVERRIDE","scope":"global","duration_minutes":60,
///      "reason":"incident 42"}
///
/// | field | required | rule |
/// |---|---|---|
/// | `schema` | yes | exactly `cost.control.v1` |
/// | `command_id` | yes | 1–128 of `[A-Za-z0-9._:-]`; never accepted twice |
/// | `issued_at` | yes | RFC 3339 with offset; within 5 minutes of the worker's clock |
/// | `issuer` | yes | 1–64 printable characters (who ran the command) |
/// | `key_id` | yes | 1–64 printable characters (the signing key) |
/// | `action` | yes | `override`, `trip` or `reset` |
/// | `override_code` | for `override` only | `EMERGENCY_OVERRIDE`, `BUDGET_OVERRIDE`, `ADMIN_OVERRIDE` |
/// | `scope` | yes | `global`, `provider:<provider>` or `agent:<agent_id>` |
/// | `duration_minutes` | for `override`; optional for `trip`; not for `reset` | integer 1…10080 |
/// | `reason` | yes | 1–512 printable characters |
///
/// The body is at most 4 KiB of UTF-8 JSON; unknown fields and `null` values are refused (the
/// signature covers the exact bytes, so nothing in them may be silently ignored). Lengths count
/// Unicode scalars; "printable" means no control character.
public struct ControlCommand: Sendable, Equatable {
    public static let schema = "cost.control.v1"
    public static let maxBodyBytes = 4096
    public static let maxDurationMinutes = 10_080
    /// `issued_at` may differ from the worker's clock by at most this much, either way.
    public static let maxClockSkewMs: Int64 = 300_000

    public var commandID: String
    public var issuedAt: Timestamp
    public var issuer: String
    public var keyID: String
    public var action: ControlAction
    public var overrideCode: OverrideCode?
    public var scope: BreakerScope
    public var durationMinutes: Int?
    public var reason: String

    public init(
        commandID: String, issuedAt: Timestamp, issuer: String, keyID: String, action: ControlAction,
        overrideCode: OverrideCode? = nil, scope: BreakerScope, durationMinutes: Int? = nil, reason: String
    ) {
        self.commandID = commandID
        self.issuedAt = issuedAt
        self.issuer = issuer
        self.keyID = keyID
        self.action = action
        self.overrideCode = overrideCode
        self.scope = scope
        self.durationMinutes = durationMinutes
        self.reason = reason
    }

    /// Compact JSON in the field order above, optional fields omitted when nil; `issued_at` in
    /// UTC with a fraction only when not whole seconds. These are the bytes to sign and send.
    public func jsonBytes() -> [UInt8] {
        var members: [(String, JSONValue)] = [
            ("schema", .string(Self.schema)), ("command_id", .string(commandID)),
            ("issued_at", .string(issuedAt.rfc3339Short)), ("issuer", .string(issuer)),
            ("key_id", .string(keyID)), ("action", .string(action.rawValue)),
        ]
        if let overrideCode { members.append(("override_code", .string(overrideCode.rawValue))) }
        members.append(("scope", .string(scope.text)))
        if let durationMinutes { members.append(("duration_minutes", .number(String(durationMinutes)))) }
        members.append(("reason", .string(reason)))
        var bytes: [UInt8] = []
        JSONValue.object(members).write(into: &bytes)
        return bytes
    }

    /// What applying the command does to the scope's breaker, at the worker's `nowMs`:
    /// override → calls through until now + duration; trip → a `manual` trip (until now +
    /// duration, or until reset); reset → closed.
    public func breakerEvent(nowMs: Int64) -> BreakerEvent {
        let untilMs = durationMinutes.map { BreakerState.later(nowMs, by: Int64($0) * 60_000) }
        switch action {
        case .override: return .override(untilMs: untilMs ?? nowMs, nowMs: nowMs)
        case .trip: return .trip(.manual(reason: reason, untilMs: untilMs), nowMs: nowMs)
        case .reset: return .manualReset(nowMs: nowMs)
        }
    }
}
