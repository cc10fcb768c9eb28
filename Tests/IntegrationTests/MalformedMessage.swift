import CostCore
import Foundation

/// A message that breaks exactly one rule of contract v1, with the (field, rule) the
/// dead-letter headers must name. `key` is the AMQP message_id it is published with.
struct MalformedMessage {
    let key: String
    let body: [UInt8]
    let field: String
    let rule: String

    /// One message per way to break the contract.
    static func everyKind(runID: String, now: Timestamp) -> [MalformedMessage] {
        var all: [MalformedMessage] = []
        func add(_ name: String, _ field: String, _ rule: String, _ body: [UInt8]) {
            all.append(MalformedMessage(key: "\(runID)-bad-\(name)", body: body, field: field, rule: rule))
        }
        func event(_ name: String, _ change: (inout [(String, JSONValue)]) -> Void) -> [UInt8] {
            var members = base(eventID: "\(runID)-bad-\(name)", now: now)
            change(&members)
            return Array(JSONValue.object(members).serialized().utf8)
        }
        func set(_ name: String, _ field: String, _ rule: String, _ key: String, _ value: JSONValue) {
            add(name, field, rule, event(name) { members in
                if let i = members.firstIndex(where: { $0.0 == key }) { members[i].1 = value } else { members.append((key, value)) }
            })
        }

        add("invalid-json", "$", "invalid_json", Array(#"{"schema":"cost.usage.v1","event_id":"#.utf8))
        add("not-object", "$", "not_object", Array(#"["cost.usage.v1",1,2]"#.utf8))
        add("too-large", "$", "too_large", event("too-large") {
            $0.append(("padding", .string(String(repeating: "x", count: 17 * 1024))))
        })
        for field in ["schema", "event_id", "occurred_at", "session_id", "agent_id", "provider", "model",
                      "input_tokens", "output_tokens"] {
            add("missing-\(field)", field, "required", event("missing-\(field)") { $0.removeAll { $0.0 == field } })
        }
        set("schema", "schema", "schema", "schema", .string("cost.usage.v2"))
        set("event-id", "event_id", "pattern", "event_id", .string("bad id/with spaces"))
        set("negative", "input_tokens", "range", "input_tokens", .number("-5"))
        set("too-many-tokens", "output_tokens", "range", "output_tokens", .number("100000001"))
        set("float-1.5", "input_tokens", "type", "input_tokens", .number("1.5"))
        set("float-1.0", "output_tokens", "type", "output_tokens", .number("1.0"))
        add("cache", "cache_write_tokens", "cache_exceeds_input", event("cache") {
            $0.append(("cache_read_tokens", .number("600")))
            $0.append(("cache_write_tokens", .number("500")))
        })
        set("reasoning", "reasoning_tokens", "reasoning_exceeds_output", "reasoning_tokens", .number("201"))
        set("future", "occurred_at", "future", "occurred_at", .string(now.adding(seconds: 600).rfc3339))
        set("no-offset", "occurred_at", "format", "occurred_at",
            .string(String(now.adding(seconds: -60).rfc3339.dropLast())))
        set("provider", "provider", "pattern", "provider", .string("Open AI"))
        set("status", "status", "enum", "status", .string("ok"))
        set("reported-cost", "reported_cost_usd", "format", "reported_cost_usd", .string("0.0012500001"))
        set("17-tags", "tags", "too_many", "tags",
            .object((1...17).map { ("tag\($0)", JSONValue.string("v")) }))
        set("tag-key", "tags", "pattern", "tags", .object([("Team", .string("a"))]))
        set("latency", "latency_ms", "range", "latency_ms", .number("3600001"))
        return all
    }

    /// A valid event's members: input 1000 tokens, output 200.
    static func base(eventID: String, now: Timestamp) -> [(String, JSONValue)] {
        [("schema", .string("cost.usage.v1")), ("event_id", .string(eventID)),
         ("occurred_at", .string(now.adding(seconds: -60).rfc3339)), ("session_id", .string("sess-malformed")),
         ("agent_id", .string("agent-malformed")), ("provider", .string("openai")), ("model", .string("gpt-4o-mini")),
         ("input_tokens", .number("1000")), ("output_tokens", .number("200")), ("latency_ms", .number("120")),
         ("status", .string("success")), ("tags", .object([("team", .string("a"))]))]
    }

    /// The body with `occurred_at` set to `time` (how an operator fixes a clock problem).
    static func withOccurredAt(_ body: [UInt8], _ time: Timestamp) throws -> [UInt8] {
        guard case .object(var members) = try JSONParser.parse(body) else { throw HarnessFailure("not an object") }
        if let i = members.firstIndex(where: { $0.0 == "occurred_at" }) { members[i].1 = .string(time.rfc3339) }
        return Array(JSONValue.object(members).serialized().utf8)
    }
}
