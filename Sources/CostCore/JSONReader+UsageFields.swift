/// The top-level object of a usage event, read straight into `RawUsageFields`: the grammar,
/// checks, error messages and offsets of `JSONReader.parseObject`, without building the
/// member list. A key without escapes or non-ASCII bytes is matched as bytes in place (no
/// String is made for it); any other key goes through `parseString` as before. A contract
/// field's name is ASCII, so a key equals it byte for byte exactly when it equals it as a
/// Swift String. Duplicates are found as `isDuplicate` finds them: the fields by a bit each,
/// unknown keys by comparing their bytes with the earlier unknown keys.
extension JSONReader {
    /// Call with `index` at the opening brace (`parseValue` at depth 0 would parse it at depth 1).
    mutating func parseUsageFields(into raw: inout RawUsageFields) throws(JSONParseError) {
        let depth = 1
        guard depth <= maxDepth else { throw error("nesting deeper than \(maxDepth)") }
        index += 1  // {
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return
        }
        var fieldsSeen: UInt32 = 0
        var unknownKeys: [String] = []
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw error("expected a string key")
            }
            let keyOffset = index
            var field: RawUsageFields.Field?
            var unknownKey: String?
            if let key = plainKey() {
                field = RawUsageFields.Field(named: key)
                if field == nil { unknownKey = String(decoding: key, as: UTF8.self) }
            } else {
                let key = try parseString()
                field = FieldText.withBytes(key) { RawUsageFields.Field(named: $0) }
                if field == nil { unknownKey = key }
            }
            if let field {
                let bit: UInt32 = 1 << UInt32(field.rawValue)
                if fieldsSeen & bit != 0 {
                    throw JSONParseError(offset: keyOffset, message: "duplicate key \(field.name)")
                }
                fieldsSeen |= bit
            } else if let unknownKey {
                if unknownKeys.contains(where: { $0.utf8.count == unknownKey.utf8.count && $0.utf8.elementsEqual(unknownKey.utf8) }) {
                    throw JSONParseError(offset: keyOffset, message: "duplicate key \(unknownKey)")
                }
                unknownKeys.append(unknownKey)
            }
            try skipColon()
            let value = try parseValue(depth: depth)
            if let field { raw.set(field, value) }
            if try endOfMember() { return }
        }
    }

    /// With `index` at a key's opening quote: when the key is printable ASCII without escapes,
    /// its bytes (the index moves past the closing quote); otherwise nil with the index
    /// unchanged, for `parseString` to read it (and report any error) as it always has.
    private mutating func plainKey() -> UnsafeBufferPointer<UInt8>? {
        let start = index + 1
        var end = start
        while end < bytes.count {
            let byte = bytes[end]
            if byte == UInt8(ascii: "\"") {
                index = end + 1
                return UnsafeBufferPointer(rebasing: bytes[start..<end])
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 { return nil }
            end += 1
        }
        return nil
    }
}

extension RawUsageFields {
    /// The contract's fields, one bit each for duplicate detection.
    enum Field: Int, CaseIterable {
        case schema, eventID, occurredAt, sessionID, agentID, conversationID, provider, model
        case inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens, reasoningTokens
        case reportedCostUSD, latencyMs, status, requestID, tags

        var name: String {
            switch self {
            case .schema: "schema"
            case .eventID: "event_id"
            case .occurredAt: "occurred_at"
            case .sessionID: "session_id"
            case .agentID: "agent_id"
            case .conversationID: "conversation_id"
            case .provider: "provider"
            case .model: "model"
            case .inputTokens: "input_tokens"
            case .outputTokens: "output_tokens"
            case .cacheReadTokens: "cache_read_tokens"
            case .cacheWriteTokens: "cache_write_tokens"
            case .reasoningTokens: "reasoning_tokens"
            case .reportedCostUSD: "reported_cost_usd"
            case .latencyMs: "latency_ms"
            case .status: "status"
            case .requestID: "request_id"
            case .tags: "tags"
            }
        }

        private static let names: [[UInt8]] = allCases.map { Array($0.name.utf8) }

        /// The field whose name is exactly `bytes`, if any: the length and a distinguishing
        /// byte pick the one candidate, which is then compared in full.
        init?(named bytes: UnsafeBufferPointer<UInt8>) {
            let candidate: Field
            switch bytes.count {
            case 4: candidate = .tags
            case 5: candidate = .model
            case 6: candidate = bytes[1] == UInt8(ascii: "c") ? .schema : .status
            case 8:
                switch bytes[0] {
                case UInt8(ascii: "e"): candidate = .eventID
                case UInt8(ascii: "a"): candidate = .agentID
                default: candidate = .provider
                }
            case 10:
                switch bytes[0] {
                case UInt8(ascii: "s"): candidate = .sessionID
                case UInt8(ascii: "l"): candidate = .latencyMs
                default: candidate = .requestID
                }
            case 11: candidate = .occurredAt
            case 12: candidate = .inputTokens
            case 13: candidate = .outputTokens
            case 15: candidate = .conversationID
            case 16: candidate = .reasoningTokens
            case 17: candidate = bytes[0] == UInt8(ascii: "c") ? .cacheReadTokens : .reportedCostUSD
            case 18: candidate = .cacheWriteTokens
            default: return nil
            }
            let matches = Self.names[candidate.rawValue].withUnsafeBufferPointer { name in
                name.count == bytes.count && memcmpEqual(name, bytes)
            }
            guard matches else { return nil }
            self = candidate
        }
    }

    mutating func set(_ field: Field, _ value: JSONValue) {
        switch field {
        case .schema: schema = value
        case .eventID: eventID = value
        case .occurredAt: occurredAt = value
        case .sessionID: sessionID = value
        case .agentID: agentID = value
        case .conversationID: conversationID = value
        case .provider: provider = value
        case .model: model = value
        case .inputTokens: inputTokens = value
        case .outputTokens: outputTokens = value
        case .cacheReadTokens: cacheReadTokens = value
        case .cacheWriteTokens: cacheWriteTokens = value
        case .reasoningTokens: reasoningTokens = value
        case .reportedCostUSD: reportedCostUSD = value
        case .latencyMs: latencyMs = value
        case .status: status = value
        case .requestID: requestID = value
        case .tags: tags = value
        }
    }
}

/// Byte-wise equality of two buffers of the same length.
@inline(__always)
private func memcmpEqual(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
    for offset in 0..<a.count where a[offset] != b[offset] { return false }
    return true
}
