import CostCore
import Testing

@Suite("Strict JSON parser")
struct JSONParserTests {
    func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try JSONParser.parse(Array(text.utf8))
    }

    @Test("values parse with numbers kept as literal text and member order kept")
    func values() throws {
        let value = try parse(#" {"b": [1, -0.5, 2.5e-06, 1E+2], "a": {"x": null, "y": true, "z": false}, "s": "h\u00e9\n\ud83d\ude00"} "#)
        #expect(value["b"] == .array([.number("1"), .number("-0.5"), .number("2.5e-06"), .number("1E+2")]))
        #expect(value["a"]?["y"] == .bool(true))
        #expect(value["s"] == .string("hé\n😀"))
        guard case .object(let members) = value else { Issue.record("not an object"); return }
        #expect(members.map(\.0) == ["b", "a", "s"])
    }

    @Test("rejected inputs", arguments: [
        ("{\"a\":1,\"a\":2}", "duplicate key a"), ("{\"a\":1} x", "unexpected data"), ("[01]", "leading zero"),
        ("[1.]", "digit after"), ("[-]", "expected a digit"), ("[1e]", "exponent"), ("[+1]", "expected a value"),
        ("[\"\\ud800\"]", "lone high surrogate"), ("[\"\\udc00\"]", "lone low surrogate"),
        ("[\"a\tb\"]", "control character"), ("[\"\\x\"]", "invalid escape"), ("{\"a\" 1}", "expected ':'"),
        ("[1,]", "expected a value"), ("", "unexpected end"), ("[NaN]", "expected a value"), ("[tru]", "invalid literal"),
    ])
    func rejects(_ text: String, _ reason: String) {
        do {
            _ = try parse(text)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.message.contains(reason), "\(error)")
        }
    }

    @Test("invalid UTF-8 is rejected", arguments: [
        [UInt8(0x22), 0xC3, 0x28, 0x22], [0x22, 0xC0, 0xAF, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22],
        [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], [0x22, 0xE2, 0x82, 0x22], [0x22, 0xFF, 0x22], [0xEF, 0xBB, 0xBF, 0x31],
    ])
    func invalidUTF8(_ bytes: [UInt8]) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(bytes) }
    }

    @Test("depth: 32 levels pass, 33 fail")
    func depth() throws {
        _ = try parse(String(repeating: "[", count: 32) + String(repeating: "]", count: 32))
        #expect(throws: JSONParseError.self) {
            try parse(String(repeating: "[", count: 33) + String(repeating: "]", count: 33))
        }
        #expect(throws: JSONParseError.self) {
            try parse(String(repeating: "{\"a\":", count: 33) + "1" + String(repeating: "}", count: 33))
        }
    }

    @Test("duplicate keys are found in large objects too, byte for byte")
    func largeObjectDuplicates() throws {
        let members = (0..<40).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        #expect(throws: JSONParseError.self) { try parse("{\(members),\"k7\":1}") }
        // "é" precomposed and decomposed are different keys in JSON.
        let value = try parse("{\(members),\"\u{E9}\":1,\"e\u{301}\":2}")
        #expect(value["e\u{301}"] == .number("2"))
        // The same in a small object (keys compared one by one, not hashed).
        #expect(try parse("{\"\u{E9}\":1,\"e\u{301}\":2}")["\u{E9}"] == .number("1"))
        #expect(throws: JSONParseError.self) { try parse("{\"a\":1,\"bb\":2,\"a\":3}") }
    }

    @Test("serialization escapes and round-trips")
    func serialization() throws {
        let value = JSONValue.object([("k", .string("q\"\\\u{1}\n\té")), ("n", .number("-1.5e3")), ("a", .array([.null]))])
        let text = value.serialized()
        #expect(text == #"{"k":"q\"\\\u0001\n\té","n":-1.5e3,"a":[null]}"#)
        #expect(try parse(text) == value)
    }

    @Test("object equality ignores member order; numbers compare by literal")
    func equality() {
        #expect(JSONValue.object([("a", .null), ("b", .bool(true))]) == .object([("b", .bool(true)), ("a", .null)]))
        #expect(JSONValue.number("1.0") != .number("1"))
        #expect(JSONValue.object([("a", .null)]) != .object([("a", .null), ("b", .null)]))
    }
}
