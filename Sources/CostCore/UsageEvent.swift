/// One model call, as published by an agent (contract v1 §1, `cost.usage.v1`).
///
/// `UsageEventDecoder` only produces events that satisfy every contract rule; an event built
/// by hand is not checked until it is encoded and decoded.
public struct UsageEvent: Sendable, Equatable {
    public static let schema = "cost.usage.v1"

    public var eventID: String
    public var occurredAt: Timestamp
    public var sessionID: String
    public var agentID: String
    public var conversationID: String?
    public var provider: String
    public var model: String
    /// All prompt tokens, cache reads and cache writes included.
    public var inputTokens: Int64
    /// All completion tokens, reasoning included.
    public var outputTokens: Int64
    /// Part of `inputTokens`; 0 when absent.
    public var cacheReadTokens: Int64
    /// Part of `inputTokens`; 0 when absent.
    public var cacheWriteTokens: Int64
    /// Part of `outputTokens`; 0 when absent.
    public var reasoningTokens: Int64
    /// What the agent believes it paid.
    public var reportedCost: Nanodollars?
    public var latencyMs: Int64?
    public var status: UsageStatus
    public var requestID: String?
    public var tags: [String: String]

    public init(
        eventID: String,
        occurredAt: Timestamp,
        sessionID: String,
        agentID: String,
        conversationID: String? = nil,
        provider: String,
        model: String,
        inputTokens: Int64,
        outputTokens: Int64,
        cacheReadTokens: Int64 = 0,
        cacheWriteTokens: Int64 = 0,
        reasoningTokens: Int64 = 0,
        reportedCost: Nanodollars? = nil,
        latencyMs: Int64? = nil,
        status: UsageStatus = .success,
        requestID: String? = nil,
        tags: [String: String] = [:]
    ) {
        self.eventID = eventID
        self.occurredAt = occurredAt
        self.sessionID = sessionID
        self.agentID = agentID
        self.conversationID = conversationID
        self.provider = provider
        self.model = model
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cacheReadTokens = cacheReadTokens
        self.cacheWriteTokens = cacheWriteTokens
        self.reasoningTokens = reasoningTokens
        self.reportedCost = reportedCost
        self.latencyMs = latencyMs
        self.status = status
        self.requestID = requestID
        self.tags = tags
    }

    /// Contract-v1 JSON, compact, fields in contract order. Optional fields are omitted when
    /// nil; cache and reasoning token counts only when > 0; tags only when not empty (sorted
    /// by key); `status` is always written. `reported_cost_usd` has 9 fractional digits.
    public func jsonBytes() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(320)
        var first = true
        func key(_ name: StaticString) {
            bytes.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
            first = false
            bytes.append(UInt8(ascii: "\""))
            bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            bytes.append(contentsOf: "\":".utf8)
        }
        func string(_ name: StaticString, _ value: String) {
            key(name)
            JSONValue.writeString(value, into: &bytes)
        }
        func integer(_ name: StaticString, _ value: Int64) {
            key(name)
            bytes.append(contentsOf: String(value).utf8)
        }
        string("schema", Self.schema)
        string("event_id", eventID)
        string("occurred_at", occurredAt.rfc3339)
        string("session_id", sessionID)
        string("agent_id", agentID)
        if let conversationID { string("conversation_id", conversationID) }
        string("provider", provider)
        string("model", model)
        integer("input_tokens", inputTokens)
        integer("output_tokens", outputTokens)
        if cacheReadTokens > 0 { integer("cache_read_tokens", cacheReadTokens) }
        if cacheWriteTokens > 0 { integer("cache_write_tokens", cacheWriteTokens) }
        if reasoningTokens > 0 { integer("reasoning_tokens", reasoningTokens) }
        if let reportedCost { string("reported_cost_usd", reportedCost.decimalString) }
        if let latencyMs { integer("latency_ms", latencyMs) }
        string("status", status.rawValue)
        if let requestID { string("request_id", requestID) }
        if !tags.isEmpty {
            key("tags")
            bytes.append(UInt8(ascii: "{"))
            for (index, name) in tags.keys.sorted().enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                JSONValue.writeString(name, into: &bytes)
                bytes.append(UInt8(ascii: ":"))
                JSONValue.writeString(tags[name]!, into: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }
}
