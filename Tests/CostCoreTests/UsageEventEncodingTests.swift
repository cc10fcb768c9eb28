import CostCore
import Testing

@Suite("Usage event encoding")
struct UsageEventEncodingTests {
    static let full = UsageEvent(
        eventID: "evt:42", occurredAt: Timestamp(microsecondsSinceEpoch: 1_795_755_600_123_456),
        sessionID: "sess \"quoted\" é", agentID: "fleet/agent-7@node", conversationID: "c-1",
        provider: "anthropic", model: "claude-sonnet-4-5", inputTokens: 5000, outputTokens: 700,
        cacheReadTokens: 3000, cacheWriteTokens: 1000, reasoningTokens: 200,
        reportedCost: Nanodollars(12_345_678), latencyMs: 2300, status: .timeout,
        requestID: "req\\1", tags: ["team": "search", "cost.center": "42"])

    @Test("jsonBytes round-trips through the decoder, full and minimal")
    func roundTrip() throws {
        let decoded = try UsageEventDecoder.decode(Self.full.jsonBytes(), now: Self.full.occurredAt).get()
        #expect(decoded == Self.full)
        let minimal = UsageEvent(
            eventID: "e", occurredAt: Timestamp(secondsSinceEpoch: 0), sessionID: "s", agentID: "a",
            provider: "openai", model: "gpt-4o", inputTokens: 0, outputTokens: 0)
        #expect(try UsageEventDecoder.decode(minimal.jsonBytes(), now: Timestamp(secondsSinceEpoch: 0)).get() == minimal)
    }

    @Test("jsonBytes writes contract order and omits absent optional fields")
    func exactBytes() {
        let event = UsageEvent(
            eventID: "e1", occurredAt: Timestamp.parseRFC3339("2026-11-27T05:00:00.5Z")!, sessionID: "s",
            agentID: "a", provider: "openai", model: "gpt-4o", inputTokens: 10, outputTokens: 2,
            reportedCost: Nanodollars(1_250_000))
        let text = String(decoding: event.jsonBytes(), as: UTF8.self)
        #expect(text == """
            {"schema":"cost.usage.v1","event_id":"e1","occurred_at":"2026-11-27T05:00:00.500000Z",\
            "session_id":"s","agent_id":"a","provider":"openai","model":"gpt-4o","input_tokens":10,\
            "output_tokens":2,"reported_cost_usd":"0.001250000","status":"success"}
            """)
    }
}
