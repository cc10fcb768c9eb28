import CostCore
import Testing

@Suite("Usage event decoding")
struct UsageEventDecoderTests {
    @Test("a minimal event decodes with defaults for absent fields")
    func minimalEvent() throws {
        let event = try EventFixture.decode(EventFixture.json()).get()
        #expect(event.eventID == "evt-0001")
        #expect(event.occurredAt == Timestamp.parseRFC3339("2026-11-27T04:59:00.123Z"))
        #expect(event.sessionID == "session 1")
        #expect(event.agentID == "team-a/agent@host")
        #expect(event.provider == "openai" && event.model == "gpt-4o")
        #expect(event.inputTokens == 1200 && event.outputTokens == 300)
        #expect(event.cacheReadTokens == 0 && event.cacheWriteTokens == 0 && event.reasoningTokens == 0)
        #expect(event.conversationID == nil && event.reportedCost == nil && event.latencyMs == nil)
        #expect(event.status == .success && event.requestID == nil && event.tags.isEmpty)
    }

    @Test("a full event decodes every field; unknown fields are ignored")
    func fullEvent() throws {
        let event = try EventFixture.decode(EventFixture.json(base: EventFixture.full)).get()
        #expect(event.conversationID == "conv-9")
        #expect(event.cacheReadTokens == 200 && event.cacheWriteTokens == 100 && event.reasoningTokens == 50)
        #expect(event.reportedCost == Nanodollars(4_500_000))
        #expect(event.latencyMs == 812)
        #expect(event.status == .rateLimited)
        #expect(event.requestID == "req_abc123")
        #expect(event.tags == ["team": "search", "env.name": "prod"])
    }

    @Test("occurred_at exactly 5 minutes ahead is accepted, with an offset too")
    func futureBoundary() throws {
        let atLimit = EventFixture.json([.set("occurred_at", "2026-11-27T07:05:00+02:00")])
        let event = try EventFixture.decode(atLimit).get()
        #expect(event.occurredAt == EventFixture.now.adding(seconds: 300))
    }

    @Test("every violation is reported, in contract field order")
    func allViolationsInOrder() throws {
        let bytes = EventFixture.json([
            .remove("event_id"), .number("input_tokens", "-1"), .set("status", "ok"),
            .set("tags", .object([("team", .number("1"))])), .set("provider", "Open AI"),
        ])
        let failure = try #require(EventFixture.decode(bytes).failureValue)
        #expect(failure.violations.map(\.field) == ["event_id", "provider", "input_tokens", "status", "tags.team"])
        #expect(failure.violations.map(\.rule) == ["required", "pattern", "range", "enum", "type"])
        #expect(failure.first.field == "event_id")
    }

    @Test("a message over 16 KiB is rejected before parsing")
    func tooLarge() throws {
        var bytes = EventFixture.json([.set("padding", String(repeating: "x", count: 16 * 1024))])
        let failure = try #require(EventFixture.decode(bytes).failureValue)
        #expect(failure.violations == [failure.first])
        #expect(failure.first.field == "$" && failure.first.rule == "too_large")
        // Even when the oversized bytes are not JSON at all.
        bytes = Array(repeating: UInt8(ascii: "{"), count: 16 * 1024 + 1)
        #expect(EventFixture.decode(bytes).failureValue?.first.rule == "too_large")
        // Exactly 16 KiB is allowed.
        let padding = 16 * 1024 - EventFixture.json([.set("padding", "")]).count
        let exact = EventFixture.json([.set("padding", String(repeating: "x", count: padding))])
        #expect(exact.count == 16 * 1024)
        #expect(EventFixture.decode(exact).failureValue == nil)
    }

    @Test("broken JSON and non-objects are rejected for the whole message")
    func notJSON() throws {
        let broken = try #require(EventFixture.decode(Array("{\"schema\":".utf8)).failureValue)
        #expect(broken.first.field == "$" && broken.first.rule == "invalid_json")
        let duplicate = try #require(EventFixture.decode(Array("{\"a\":1,\"a\":2}".utf8)).failureValue)
        #expect(duplicate.first.rule == "invalid_json" && duplicate.first.message.contains("duplicate key a"))
        let array = try #require(EventFixture.decode(Array("[1]".utf8)).failureValue)
        #expect(array.first.field == "$" && array.first.rule == "not_object")
    }

    struct RuleCase: Sendable, CustomTestStringConvertible {
        var changes: [FieldChange]
        var field: String
        var rule: String
        var testDescription: String { "\(field) \(rule)" }
    }

    static let ruleCases: [RuleCase] = [
        RuleCase(changes: [.remove("model")], field: "model", rule: "required"),
        RuleCase(changes: [.remove("input_tokens")], field: "input_tokens", rule: "required"),
        RuleCase(changes: [.set("input_tokens", "5")], field: "input_tokens", rule: "type"),
        RuleCase(changes: [.number("input_tokens", "1.0")], field: "input_tokens", rule: "type"),
        RuleCase(changes: [.number("output_tokens", "3e2")], field: "output_tokens", rule: "type"),
        RuleCase(changes: [.set("conversation_id", .null)], field: "conversation_id", rule: "type"),
        RuleCase(changes: [.set("session_id", .number("7"))], field: "session_id", rule: "type"),
        RuleCase(changes: [.set("tags", .array([]))], field: "tags", rule: "type"),
        RuleCase(changes: [.set("tags", .object([("team", .bool(true))]))], field: "tags.team", rule: "type"),
        RuleCase(changes: [.set("schema", "cost.usage.v2")], field: "schema", rule: "schema"),
        RuleCase(changes: [.set("event_id", "evt 1")], field: "event_id", rule: "pattern"),
        RuleCase(changes: [.set("agent_id", "agent#1")], field: "agent_id", rule: "pattern"),
        RuleCase(changes: [.set("provider", "OpenAI")], field: "provider", rule: "pattern"),
        RuleCase(changes: [.set("provider", String(repeating: "a", count: 33))], field: "provider", rule: "pattern"),
        RuleCase(changes: [.set("tags", .object([("Team", .string("x"))]))], field: "tags", rule: "pattern"),
        RuleCase(changes: [.set("event_id", "")], field: "event_id", rule: "length"),
        RuleCase(changes: [.set("event_id", String(repeating: "e", count: 129))], field: "event_id", rule: "length"),
        RuleCase(changes: [.set("session_id", "")], field: "session_id", rule: "length"),
        RuleCase(changes: [.set("model", String(repeating: "é", count: 129))], field: "model", rule: "length"),
        RuleCase(changes: [.set("request_id", String(repeating: "r", count: 257))], field: "request_id", rule: "length"),
        RuleCase(changes: [.set("tags", .object([("team", .string(String(repeating: "v", count: 257)))]))],
                 field: "tags.team", rule: "length"),
        RuleCase(changes: [.number("input_tokens", "-1")], field: "input_tokens", rule: "range"),
        RuleCase(changes: [.number("output_tokens", "100000001")], field: "output_tokens", rule: "range"),
        RuleCase(changes: [.number("cache_read_tokens", "99999999999999999999999")], field: "cache_read_tokens", rule: "range"),
        RuleCase(changes: [.number("latency_ms", "3600001")], field: "latency_ms", rule: "range"),
        RuleCase(changes: [.set("reported_cost_usd", "-0.5")], field: "reported_cost_usd", rule: "range"),
        RuleCase(changes: [.set("occurred_at", "2026-11-27T05:05:00.000001Z")], field: "occurred_at", rule: "future"),
        RuleCase(changes: [.set("occurred_at", "2026-02-29T00:00:00Z")], field: "occurred_at", rule: "format"),
        RuleCase(changes: [.set("occurred_at", "2026-11-27T05:00:00")], field: "occurred_at", rule: "format"),
        RuleCase(changes: [.set("reported_cost_usd", "1e-3")], field: "reported_cost_usd", rule: "format"),
        RuleCase(changes: [.set("reported_cost_usd", "0.0000000001")], field: "reported_cost_usd", rule: "format"),
        RuleCase(changes: [.set("reported_cost_usd", .number("0.5"))], field: "reported_cost_usd", rule: "type"),
        RuleCase(changes: [.set("status", "failed")], field: "status", rule: "enum"),
        RuleCase(changes: [.number("cache_read_tokens", "1201")], field: "cache_read_tokens", rule: "cache_exceeds_input"),
        RuleCase(changes: [.number("cache_read_tokens", "1000"), .number("cache_write_tokens", "201")],
                 field: "cache_write_tokens", rule: "cache_exceeds_input"),
        RuleCase(changes: [.number("reasoning_tokens", "301")], field: "reasoning_tokens", rule: "reasoning_exceeds_output"),
        RuleCase(changes: [.set("tags", .object((0..<17).map { ("k\($0)", JSONValue.string("v")) }))],
                 field: "tags", rule: "too_many"),
        RuleCase(changes: [.set("session_id", "line\nbreak")], field: "session_id", rule: "printable"),
        RuleCase(changes: [.set("model", "gpt\u{85}4o")], field: "model", rule: "printable"),
        RuleCase(changes: [.set("conversation_id", "tab\there")], field: "conversation_id", rule: "printable"),
        RuleCase(changes: [.set("request_id", "req\u{0}")], field: "request_id", rule: "printable"),
    ]

    @Test("each broken rule is reported with its own field and rule", arguments: ruleCases)
    func ruleViolation(_ ruleCase: RuleCase) throws {
        let failure = try #require(EventFixture.decode(EventFixture.json(ruleCase.changes)).failureValue)
        #expect(failure.violations.count == 1, "\(failure)")
        #expect(failure.first.field == ruleCase.field)
        #expect(failure.first.rule == ruleCase.rule)
        #expect(!failure.first.message.isEmpty)
    }

    @Test("messages say how to fix the value and never echo control characters raw")
    func helpfulMessages() throws {
        let range = try #require(EventFixture.decode(EventFixture.json([.number("input_tokens", "-1")])).failureValue)
        #expect(range.first.message == "input_tokens must be an integer from 0 to 100000000 (got -1)")
        let printable = try #require(EventFixture.decode(EventFixture.json([.set("model", "a\u{1}\u{85}b")])).failureValue)
        #expect(!printable.first.message.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
        #expect(printable.first.description.hasPrefix("model [printable]: "))
    }

    @Test("a 400-byte event decodes quickly")
    func decodeSpeed() throws {
        let bytes = EventFixture.json(base: EventFixture.full)
        #expect(bytes.count > 350)
        let clock = ContinuousClock()
        var decoded = 0
        let elapsed = clock.measure {
            for _ in 0..<2000 {
                if case .success = UsageEventDecoder.decode(bytes, now: EventFixture.now) { decoded += 1 }
            }
        }
        #expect(decoded == 2000)
        // Release builds decode it in under 10 µs; debug builds are about ten times slower,
        // and tests run in parallel, so the bounds leave room.
        #if DEBUG
        let bound = Duration.milliseconds(1)
        #else
        let bound = Duration.microseconds(20)
        #endif
        #expect(elapsed / 2000 < bound, "per event: \(elapsed / 2000)")
    }
}

extension Result {
    var failureValue: Failure? {
        if case .failure(let failure) = self { return failure }
        return nil
    }
}
