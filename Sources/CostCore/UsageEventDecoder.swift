/// Validates a `cost.usage.v1` message against every rule of contract v1 §1.
///
/// Lengths count Unicode scalars (code points). "Printable" means no Unicode control
/// character (general category Cc); spaces are allowed. Optional fields must be omitted
/// rather than sent as `null` (a `null` is a `type` violation). `request_id` and tag values
/// may not contain U+0000 (rule `printable`), because PostgreSQL text cannot store it.
/// Integers must be written as JSON integers: `1.0` or `1e3` is a `type` violation.
public enum UsageEventDecoder {
    public static let maxMessageBytes = 16 * 1024
    /// `occurred_at` may be at most this far after `now`.
    public static let maxFutureSkewSeconds: Int64 = 300
    public static let maxTokens: Int64 = 100_000_000
    public static let maxLatencyMs: Int64 = 3_600_000
    public static let maxTags = 16
    public static let maxIdentifierLength = 128
    public static let maxRequestIDLength = 256
    public static let maxTagValueLength = 256

    /// Returns the event, or ALL violations found (at least one) in contract field order.
    /// A message over 16 KiB is rejected before parsing. Unknown fields are ignored.
    public static func decode(_ bytes: some Collection<UInt8>, now: Timestamp) -> Result<UsageEvent, ViolationList> {
        let size = bytes.count
        guard size <= maxMessageBytes else {
            return .failure(ViolationList(Violation(
                field: "$", rule: Violation.Rule.tooLarge,
                message: "message is \(size) bytes; a usage event may be at most \(maxMessageBytes) bytes (16 KiB)")))
        }
        var fields = RawUsageFields()
        switch JSONParser.parseUsageFields(bytes, into: &fields) {
        case .parsed:
            return validate(fields, now: now)
        case .failed(let error):
            return .failure(ViolationList(Violation(
                field: "$", rule: Violation.Rule.invalidJSON,
                message: "message is not valid UTF-8 JSON: \(error.description)")))
        case .notObject:
            break  // parsed below to say what it is
        }
        let root: JSONValue
        do {
            root = try JSONParser.parse(bytes)
        } catch {
            return .failure(ViolationList(Violation(
                field: "$", rule: Violation.Rule.invalidJSON,
                message: "message is not valid UTF-8 JSON: \(error.description)")))
        }
        guard case .object(let members) = root else {
            return .failure(ViolationList(Violation(
                field: "$", rule: Violation.Rule.notObject,
                message: "message must be a JSON object, got \(root.typeName)")))
        }
        var raw = RawUsageFields()
        for (name, value) in members { raw.set(name, value) }
        return validate(raw, now: now)
    }

    static func validate(_ raw: RawUsageFields, now: Timestamp) -> Result<UsageEvent, ViolationList> {
        var check = UsageFieldChecker()
        let schema = check.string("schema", raw.schema, required: true)
        if let schema, schema != UsageEvent.schema {
            check.fail("schema", Violation.Rule.schema,
                       "schema must be exactly \"\(UsageEvent.schema)\" (got \(FieldText.quoted(schema)))")
        }
        let eventID = check.identifier("event_id", raw.eventID, allowed: "[A-Za-z0-9._:-]", FieldText.isEventIDText)
        let occurredAt = check.timestamp("occurred_at", raw.occurredAt, now: now)
        let sessionID = check.printable("session_id", raw.sessionID, required: true)
        let agentID = check.identifier("agent_id", raw.agentID, allowed: "[A-Za-z0-9._:@/-]", FieldText.isAgentIDText)
        let conversationID = check.printable("conversation_id", raw.conversationID, required: false)
        let provider = check.string("provider", raw.provider, required: true)
        if let provider, !FieldText.isProviderName(provider) {
            check.fail("provider", Violation.Rule.pattern,
                       "provider must match ^[a-z0-9][a-z0-9_-]{0,31}$ such as \"openai\" (got \(FieldText.quoted(provider)))")
        }
        let model = check.printable("model", raw.model, required: true)
        let input = check.integer("input_tokens", raw.inputTokens, required: true, max: maxTokens)
        let output = check.integer("output_tokens", raw.outputTokens, required: true, max: maxTokens)
        let cacheRead = check.integer("cache_read_tokens", raw.cacheReadTokens, required: false, max: maxTokens)
        if let input, let cacheRead, cacheRead > input {
            check.fail("cache_read_tokens", Violation.Rule.cacheExceedsInput,
                       "cache_read_tokens (\(cacheRead)) is part of input_tokens (\(input)) and cannot exceed it")
        }
        let cacheWrite = check.integer("cache_write_tokens", raw.cacheWriteTokens, required: false, max: maxTokens)
        if let input, let cacheWrite, (cacheRead ?? 0) <= input, (cacheRead ?? 0) + cacheWrite > input {
            check.fail("cache_write_tokens", Violation.Rule.cacheExceedsInput,
                       "cache_read_tokens + cache_write_tokens (\((cacheRead ?? 0) + cacheWrite)) are part of input_tokens (\(input)) and cannot exceed it")
        }
        let reasoning = check.integer("reasoning_tokens", raw.reasoningTokens, required: false, max: maxTokens)
        if let output, let reasoning, reasoning > output {
            check.fail("reasoning_tokens", Violation.Rule.reasoningExceedsOutput,
                       "reasoning_tokens (\(reasoning)) is part of output_tokens (\(output)) and cannot exceed it")
        }
        let reportedCost = check.cost("reported_cost_usd", raw.reportedCostUSD)
        let latency = check.integer("latency_ms", raw.latencyMs, required: false, max: maxLatencyMs)
        let status = check.status("status", raw.status)
        let requestID = check.string("request_id", raw.requestID, required: false)
        if let requestID {
            check.limitLength("request_id", requestID, max: maxRequestIDLength)
            check.rejectNUL("request_id", requestID)
        }
        let tags = check.tags("tags", raw.tags)

        guard check.violations.isEmpty,
              let eventID, let occurredAt, let sessionID, let agentID, let provider, let model,
              let input, let output
        else {
            return .failure(ViolationList(check.violations) ?? ViolationList(Violation(
                field: "$", rule: Violation.Rule.required, message: "incomplete event")))
        }
        return .success(UsageEvent(
            eventID: eventID, occurredAt: occurredAt, sessionID: sessionID, agentID: agentID,
            conversationID: conversationID, provider: provider, model: model,
            inputTokens: input, outputTokens: output,
            cacheReadTokens: cacheRead ?? 0, cacheWriteTokens: cacheWrite ?? 0, reasoningTokens: reasoning ?? 0,
            reportedCost: reportedCost, latencyMs: latency, status: status ?? .success,
            requestID: requestID, tags: tags ?? [:]))
    }
}

/// The contract's fields as found in the message, before validation.
struct RawUsageFields {
    var schema, eventID, occurredAt, sessionID, agentID, conversationID, provider, model: JSONValue?
    var inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens, reasoningTokens: JSONValue?
    var reportedCostUSD, latencyMs, status, requestID, tags: JSONValue?

    /// The member `name` (a parsed key), when it is a contract field (`Field(named:)`).
    mutating func set(_ name: String, _ value: JSONValue) {
        var name = name
        if let field = name.withUTF8({ Field(named: $0) }) { set(field, value) }  // unknown fields are ignored
    }
}
