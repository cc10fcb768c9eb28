/// A strict JSON parser (RFC 8259) working on UTF-8 bytes. It rejects invalid UTF-8, a byte
/// order mark, trailing garbage, nesting deeper than `maxDepth`, duplicate object keys
/// (compared byte for byte), control characters in strings and lone surrogate escapes.
/// Numbers are validated against the JSON grammar and kept as their literal text.
public enum JSONParser {
    public static func parse(
        _ bytes: some Collection<UInt8>, maxDepth: Int = 32
    ) throws(JSONParseError) -> JSONValue {
        let result = bytes.withContiguousStorageIfAvailable { buffer in
            parse(buffer: buffer, maxDepth: maxDepth)
        } ?? Array(bytes).withUnsafeBufferPointer { buffer in
            parse(buffer: buffer, maxDepth: maxDepth)
        }
        return try result.get()
    }

    /// `parse` for a usage event (`UsageEventDecoder`): the top-level object's members go
    /// straight into `raw` (see `JSONReader.parseUsageFields`), with the same errors. Answers
    /// `.notObject` when the value is not an object: the caller then parses it with `parse`.
    enum UsageFieldsOutcome {
        case parsed
        case failed(JSONParseError)
        case notObject
    }

    static func parseUsageFields(_ bytes: some Collection<UInt8>, into raw: inout RawUsageFields) -> UsageFieldsOutcome {
        if let outcome = bytes.withContiguousStorageIfAvailable({ parseUsageFields(buffer: $0, into: &raw) }) {
            return outcome
        }
        return Array(bytes).withUnsafeBufferPointer { parseUsageFields(buffer: $0, into: &raw) }
    }

    static func parseUsageFields(buffer: UnsafeBufferPointer<UInt8>, into raw: inout RawUsageFields) -> UsageFieldsOutcome {
        var reader = JSONReader(bytes: buffer, maxDepth: 32)
        reader.skipWhitespace()
        guard reader.index < buffer.count, buffer[reader.index] == UInt8(ascii: "{") else { return .notObject }
        do throws(JSONParseError) {
            try reader.parseUsageFields(into: &raw)
            reader.skipWhitespace()
            guard reader.index == buffer.count else {
                throw reader.error("unexpected data after the JSON value")
            }
            return .parsed
        } catch {
            return .failed(error)
        }
    }

    static func parse(buffer: UnsafeBufferPointer<UInt8>, maxDepth: Int) -> Result<JSONValue, JSONParseError> {
        var reader = JSONReader(bytes: buffer, maxDepth: maxDepth)
        do throws(JSONParseError) {
            reader.skipWhitespace()
            let value = try reader.parseValue(depth: 0)
            reader.skipWhitespace()
            guard reader.index == buffer.count else {
                throw reader.error("unexpected data after the JSON value")
            }
            return .success(value)
        } catch {
            return .failure(error)
        }
    }
}

/// The parsing cursor. Internal: only `JSONParser` drives it.
struct JSONReader {
    let bytes: UnsafeBufferPointer<UInt8>
    let maxDepth: Int
    var index = 0

    init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    func error(_ message: String) -> JSONParseError {
        JSONParseError(offset: index, message: message)
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard index < bytes.count else { throw error("unexpected end of input, expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw error("unexpected byte 0x\(String(bytes[index], radix: 16)), expected a value")
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        guard bytes.count - index >= count else { throw error("invalid literal") }
        let start = literal.utf8Start
        for offset in 0..<count where bytes[index + offset] != start[offset] {
            throw error("invalid literal")
        }
        index += count
    }

    mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= maxDepth else { throw error("nesting deeper than \(maxDepth)") }
        index += 1  // {
        var members: [(String, JSONValue)] = []
        members.reserveCapacity(16)  // a usage event has up to 17 fields
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        var keyHashes: [UInt64] = []  // only for objects beyond 32 members
        var firstIndexByHash: [UInt64: Int]? = nil  // only for large objects
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw error("expected a string key")
            }
            let keyOffset = index
            let key = try parseString()
            if isDuplicate(key, in: members, hashes: &keyHashes, index: &firstIndexByHash) {
                throw JSONParseError(offset: keyOffset, message: "duplicate key \(key)")
            }
            try skipColon()
            members.append((key, try parseValue(depth: depth)))
            if try endOfMember() { return .object(members) }
        }
    }

    /// After an object member's key: the `:` with the whitespace around it.
    @inline(__always) mutating func skipColon() throws(JSONParseError) {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
        index += 1
        skipWhitespace()
    }

    /// After an object member's value: moves past the `,` (false) or the closing `}` (true).
    @inline(__always) mutating func endOfMember() throws(JSONParseError) -> Bool {
        skipWhitespace()
        guard index < bytes.count else { throw error("unexpected end of input in object") }
        if bytes[index] == UInt8(ascii: ",") {
            index += 1
            return false
        } else if bytes[index] == UInt8(ascii: "}") {
            index += 1
            return true
        } else {
            throw error("expected ',' or '}'")
        }
    }

    /// Duplicate keys are compared byte for byte (Swift's String equality would treat
    /// canonically equivalent keys as equal). Up to 32 members each earlier key is compared
    /// directly (a usage event has up to 17 fields); beyond that a 64-bit FNV-1a hash of each
    /// key's UTF-8 bytes indexes them in a dictionary.
    private func isDuplicate(
        _ key: String, in members: [(String, JSONValue)], hashes: inout [UInt64], index: inout [UInt64: Int]?
    ) -> Bool {
        let length = key.utf8.count
        func sameKey(_ position: Int) -> Bool {
            let other = members[position].0.utf8
            return other.count == length && other.elementsEqual(key.utf8)
        }
        if members.count < 32 {
            return members.indices.contains(where: sameKey)
        }
        if index == nil {
            var built: [UInt64: Int] = [:]
            hashes = members.map { Self.keyHash($0.0) }
            for (position, existing) in hashes.enumerated() where built[existing] == nil { built[existing] = position }
            index = built
        }
        let hash = Self.keyHash(key)
        defer { hashes.append(hash) }
        if index![hash] == nil {
            index![hash] = hashes.count
            return false
        }
        // Same hash seen before (a collision is rare): compare with every member that has it.
        return hashes.indices.contains { hashes[$0] == hash && sameKey($0) }
    }

    private static func keyHash(_ key: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        FieldText.withBytes(key) { bytes in
            for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        }
        return hash
    }

    mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= maxDepth else { throw error("nesting deeper than \(maxDepth)") }
        index += 1  // [
        var items: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try parseValue(depth: depth))
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input in array") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(items)
            } else {
                throw error("expected ',' or ']'")
            }
        }
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    mutating func parseNumber() throws(JSONParseError) -> String {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number: expected a digit") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) { throw error("invalid number: leading zero") }
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else {
                throw error("invalid number: expected a digit after '.'")
            }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard index < bytes.count, isDigit(bytes[index]) else {
                throw error("invalid number: expected a digit in the exponent")
            }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
    }

    @inline(__always)
    func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
}
