@testable import CostCore
import Testing

/// The decoder reads a message's top-level object straight into its fields
/// (`JSONReader.parseUsageFields`); these check that it answers exactly as parsing the whole
/// value with `JSONParser` and then reading the members does: the same event, or the same
/// violations with the same messages and byte offsets.
@Suite("Usage event decoding: direct field reading matches the generic parse")
struct UsageEventDecoderPathTests {
    /// The decoder as it was before the direct path: parse the value, then read its members.
    static func reference(_ bytes: [UInt8]) -> Result<UsageEvent, ViolationList> {
        guard bytes.count <= UsageEventDecoder.maxMessageBytes else { return EventFixture.decode(bytes) }
        let root: JSONValue
        do {
            root = try JSONParser.parse(bytes)
        } catch {
            return .failure(ViolationList(Violation(
                field: "$", rule: Violation.Rule.invalidJSON, message: "message is not valid UTF-8 JSON: \(error.description)")))
        }
        guard case .object(let members) = root else {
            return .failure(ViolationList(Violation(
                field: "$", rule: Violation.Rule.notObject, message: "message must be a JSON object, got \(root.typeName)")))
        }
        var raw = RawUsageFields()
        for (name, value) in members { raw.set(name, value) }
        return UsageEventDecoder.validate(raw, now: EventFixture.now)
    }

    static func expectSame(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        let direct = EventFixture.decode(bytes)
        let generic = reference(bytes)
        switch (direct, generic) {
        case (.success(let a), .success(let b)):
            #expect(a == b, "\(String(decoding: bytes, as: UTF8.self))", sourceLocation: sourceLocation)
        case (.failure(let a), .failure(let b)):
            #expect(a == b, "\(String(decoding: bytes, as: UTF8.self))", sourceLocation: sourceLocation)
        default:
            Issue.record("direct \(direct) but generic \(generic) for \(String(decoding: bytes, as: UTF8.self))",
                         sourceLocation: sourceLocation)
        }
    }

    @Test("hand-picked keys: escaped, non-ASCII, duplicated, unknown, many")
    func handPicked() {
        let full = String(decoding: EventFixture.json(base: EventFixture.full), as: UTF8.self)
        let body = String(full.dropFirst().dropLast())
        var texts = [
            full, "{}", " { } ", "[]", "\"x\"", "12", "null", "\u{FEFF}{}", "{\"a\":1}x", "{\"a\":1,}", "{,}", "{\"a\" 1}",
            "{" + body + ",\"schema\":\"cost.usage.v1\"}",
            "{" + body + ",\"sch\\u0065ma\":1}",
            "{\"sch\\u0065ma\":\"cost.usage.v1\"," + body.replacing("\"schema\":\"cost.usage.v1\",", with: "") + "}",
            "{" + body + ",\"x\":1,\"y\":2,\"x\":3}",
            "{" + body + ",\"\\u0078\":1,\"x\":2}",
            "{" + body + ",\"é\":1,\"e\\u0301\":2,\"é\":3}",
            "{" + body + ",\"K\":1,\"\u{212A}\":2}",
            "{" + body + ",\"tags\":{\"a\":\"1\",\"a\":\"2\"}}",
            "{\"event_id\":\"a\",\"event_id\":\"b\"}",
            "{\"event_id\":\"a\"\"b\":1}",
            "{\"event_id\":\"a\u{0001}\"}",
            "{\"event\u{0001}id\":\"a\"}",
            "{\"event_id",
            "{\"event_id\"",
            "{\"event_id\":",
            "{\"\\",
            "{\"\\q\":1}",
        ]
        var many = "{" + body
        for index in 0..<40 { many += ",\"k\(index)\":\(index)" }
        texts.append(many + "}")
        texts.append(many + ",\"k7\":1}")
        texts.append(many + ",\"schema\":1}")
        for text in texts { Self.expectSame(Array(text.utf8)) }
    }

    @Test("every byte of a full event deleted or replaced")
    func mutations() {
        let bytes = EventFixture.json(base: EventFixture.full)
        let replacements: [UInt8] = [0x22, 0x5C, 0x7B, 0x7D, 0x5B, 0x2C, 0x3A, 0x20, 0x00, 0x0A, 0x80, 0xC3, 0xFF, 0x61, 0x31, 0x2E]
        for position in bytes.indices {
            var deleted = bytes
            deleted.remove(at: position)
            Self.expectSame(deleted)
            for byte in replacements where byte != bytes[position] {
                var changed = bytes
                changed[position] = byte
                Self.expectSame(changed)
            }
        }
    }
}
