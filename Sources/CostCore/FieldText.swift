/// Byte-level checks on UTF-8 text used by the contract's field rules. Hand-written, no regex
/// engine, no Character iteration: these run for every field of every event.
enum FieldText {
    /// Runs `body` over the UTF-8 bytes of `text` without copying when the string is native.
    @inline(__always)
    static func withBytes<R>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        // `withUTF8` also serves small (inline, ≤ 15 bytes) strings without a heap copy, which
        // `utf8.withContiguousStorageIfAvailable` does not: identifiers and JSON keys are small.
        var text = text
        return text.withUTF8(body)
    }

    /// True when every byte satisfies `isAllowed`.
    @inline(__always)
    static func allBytes(_ text: String, _ isAllowed: (UInt8) -> Bool) -> Bool {
        withBytes(text) { bytes in
            for byte in bytes where !isAllowed(byte) { return false }
            return true
        }
    }

    /// Length as the contract counts it: Unicode scalars (code points).
    static func scalarCount(_ text: String) -> Int {
        withBytes(text) { bytes in
            var count = 0
            for byte in bytes where byte & 0xC0 != 0x80 { count += 1 }
            return count
        }
    }

    /// True when the text has no Unicode control character (general category Cc:
    /// U+0000–U+001F, U+007F–U+009F). Spaces and all other characters are allowed.
    static func isPrintable(_ text: String) -> Bool {
        withBytes(text) { bytes in
            var previousWasC2 = false
            for byte in bytes {
                if byte < 0x20 || byte == 0x7F { return false }
                if previousWasC2 && byte >= 0x80 && byte <= 0x9F { return false }
                previousWasC2 = byte == 0xC2
            }
            return true
        }
    }

    static func containsNUL(_ text: String) -> Bool {
        !allBytes(text) { $0 != 0 }
    }

    @inline(__always) static func isLowerOrDigit(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
    }

    @inline(__always) static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isLowerOrDigit(byte) || (byte >= 0x41 && byte <= 0x5A)
    }

    /// `[A-Za-z0-9._:-]*`
    static func isEventIDText(_ text: String) -> Bool {
        allBytes(text) { isAlphanumeric($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x3A || $0 == 0x2D }
    }

    /// `[A-Za-z0-9._:@/-]*`
    static func isAgentIDText(_ text: String) -> Bool {
        allBytes(text) {
            isAlphanumeric($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x3A || $0 == 0x40 || $0 == 0x2F || $0 == 0x2D
        }
    }

    /// `^[a-z0-9][a-z0-9_-]{0,31}$`
    static func isProviderName(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard let first = utf8.first, isLowerOrDigit(first), utf8.count <= 32 else { return false }
        return allBytes(text) { isLowerOrDigit($0) || $0 == 0x5F || $0 == 0x2D }
    }

    /// `^[a-z0-9_.-]{1,64}$`
    static func isTagKey(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard !utf8.isEmpty, utf8.count <= 64 else { return false }
        return allBytes(text) { isLowerOrDigit($0) || $0 == 0x5F || $0 == 0x2E || $0 == 0x2D }
    }

    /// A short, safe rendering of an untrusted value for an error message: JSON text, at most
    /// 64 scalars, control characters escaped.
    static func quoted(_ value: JSONValue) -> String {
        var scalars = String.UnicodeScalarView()
        var count = 0
        for scalar in value.serialized().unicodeScalars {
            count += 1
            if count > 61 {
                scalars.append(contentsOf: "...".unicodeScalars)
                break
            }
            if scalar.value >= 0x80 && scalar.value <= 0x9F {  // C1 controls: escape like JSON does
                scalars.append(contentsOf: "\\u00\(String(scalar.value, radix: 16))".unicodeScalars)
            } else {
                scalars.append(scalar)
            }
        }
        return String(scalars)
    }

    static func quoted(_ text: String) -> String {
        quoted(JSONValue.string(text))
    }
}
