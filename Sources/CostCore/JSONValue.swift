/// A JSON value from a strict parser. Numbers keep their literal text, so nothing is lost
/// to binary floats; objects keep their member order (duplicate keys are rejected by the parser).
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The literal text, valid JSON number grammar ("12", "-0.5", "2.5e-06").
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    /// Member lookup by exact key (compared byte for byte as UTF-8); nil for non-objects.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        for (name, value) in members where name.utf8.elementsEqual(key.utf8) {
            return value
        }
        return nil
    }

    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The number literal text, when this is a number.
    public var numberText: String? {
        if case .number(let text) = self { return text }
        return nil
    }

    /// The number as an Int64 when its literal is a plain integer ("12", "-3") that fits.
    public var integerValue: Int64? {
        guard case .number(let text) = self else { return nil }
        return Int64(text)
    }

    /// A word for error messages: "null", "boolean", "number", "string", "array", "object".
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// Structural equality. Numbers compare by literal text ("1.0" ≠ "1"); strings by
    /// UTF-8 bytes; objects ignore member order (same keys, each with an equal value).
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a.utf8.elementsEqual(b.utf8)
        case (.string(let a), .string(let b)): return a.utf8.elementsEqual(b.utf8)
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            guard a.count == b.count else { return false }
            for (key, value) in a {
                guard let other = rhs[key], other == value else { return false }
            }
            for (key, _) in b where lhs[key] == nil {
                return false
            }
            return true
        default: return false
        }
    }
}
