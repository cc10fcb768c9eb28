import CostCore

/// Builds usage-event JSON for the tests: a valid minimal event with fields replaced,
/// added or removed.
enum EventFixture {
    static let now = Timestamp.parseRFC3339("2026-11-27T05:00:00Z")!

    static let minimal: [(String, JSONValue)] = [
        ("schema", .string("cost.usage.v1")),
        ("event_id", .string("evt-0001")),
        ("occurred_at", .string("2026-11-27T04:59:00.123Z")),
        ("session_id", .string("session 1")),
        ("agent_id", .string("team-a/agent@host")),
        ("provider", .string("openai")),
        ("model", .string("gpt-4o")),
        ("input_tokens", .number("1200")),
        ("output_tokens", .number("300")),
    ]

    static let full: [(String, JSONValue)] = minimal + [
        ("conversation_id", .string("conv-9")),
        ("cache_read_tokens", .number("200")),
        ("cache_write_tokens", .number("100")),
        ("reasoning_tokens", .number("50")),
        ("reported_cost_usd", .string("0.004500")),
        ("latency_ms", .number("812")),
        ("status", .string("rate_limited")),
        ("request_id", .string("req_abc123")),
        ("tags", .object([("team", .string("search")), ("env.name", .string("prod"))])),
        ("some_future_field", .array([.bool(true)])),
    ]

    /// `minimal` with each change applied: a value replaces or adds the field, nil removes it.
    static func json(_ changes: [FieldChange] = [], base: [(String, JSONValue)] = minimal) -> [UInt8] {
        var members = base
        for change in changes {
            if let index = members.firstIndex(where: { $0.0 == change.field }) {
                if let value = change.value { members[index].1 = value } else { members.remove(at: index) }
            } else if let value = change.value {
                members.append((change.field, value))
            }
        }
        return Array(JSONValue.object(members).serialized().utf8)
    }

    static func decode(_ bytes: [UInt8]) -> Result<UsageEvent, ViolationList> {
        UsageEventDecoder.decode(bytes, now: now)
    }
}

struct FieldChange: Sendable {
    var field: String
    var value: JSONValue?

    static func set(_ field: String, _ value: JSONValue) -> FieldChange { FieldChange(field: field, value: value) }
    static func set(_ field: String, _ text: String) -> FieldChange { FieldChange(field: field, value: .string(text)) }
    static func number(_ field: String, _ literal: String) -> FieldChange { FieldChange(field: field, value: .number(literal)) }
    static func remove(_ field: String) -> FieldChange { FieldChange(field: field, value: nil) }
}
