extension Timestamp {
    /// Strict RFC 3339 with a required offset: "2026-11-27T05:00:00Z", "…00.123Z",
    /// "…00.123456789+02:00". Fractions beyond 6 digits are truncated; lowercase 't'/'z'
    /// are accepted. Validates month, day (leap years included), hour < 24, minute < 60,
    /// second ≤ 60 (a leap second 60 becomes 59.999999), offset ≤ 23:59. Nil if invalid.
    public static func parseRFC3339(_ text: some StringProtocol) -> Timestamp? {
        let utf8 = text.utf8
        if let result = utf8.withContiguousStorageIfAvailable({ parseRFC3339(bytes: $0) }) {
            return result
        }
        return Array(utf8).withUnsafeBufferPointer { parseRFC3339(bytes: $0) }
    }

    static func parseRFC3339(bytes: UnsafeBufferPointer<UInt8>) -> Timestamp? {
        // Shortest: "YYYY-MM-DDTHH:MM:SSZ" (20 bytes).
        guard bytes.count >= 20, bytes.count <= 64 else { return nil }
        func number(_ start: Int, _ width: Int) -> Int64? {
            var value: Int64 = 0
            for index in start..<(start + width) {
                let byte = bytes[index]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            return value
        }
        func isByte(_ index: Int, _ expected: Unicode.Scalar) -> Bool {
            bytes[index] == UInt8(ascii: expected)
        }
        guard let year = number(0, 4), isByte(4, "-"),
              let month = number(5, 2), isByte(7, "-"),
              let day = number(8, 2),
              bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"),
              let hour = number(11, 2), isByte(13, ":"),
              let minute = number(14, 2), isByte(16, ":"),
              var second = number(17, 2)
        else { return nil }
        guard (1...12).contains(month),
              day >= 1, day <= CivilDate.daysInMonth(year: year, month: month),
              hour < 24, minute < 60, second <= 60
        else { return nil }
        var index = 19
        var micros: Int64 = 0
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                if digits < 6 { micros = micros * 10 + Int64(bytes[index] - 48) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in Swift.min(digits, 6)..<6 { micros *= 10 }
        }
        if second == 60 {
            second = 59
            micros = 999_999
        }
        guard index < bytes.count else { return nil }
        var offsetSeconds: Int64 = 0
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            index += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign: Int64 = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            guard bytes.count - index == 6, let offsetHour = number(index + 1, 2),
                  isByte(index + 3, ":"), let offsetMinute = number(index + 4, 2),
                  offsetHour < 24, offsetMinute < 60
            else { return nil }
            offsetSeconds = sign * (offsetHour * 3600 + offsetMinute * 60)
            index += 6
        default:
            return nil
        }
        guard index == bytes.count else { return nil }
        let days = CivilDate(year: year, month: month, day: day).daysSinceEpoch
        let localSeconds = days * 86_400 + hour * 3600 + minute * 60 + second
        return Timestamp(microsecondsSinceEpoch: (localSeconds - offsetSeconds) * 1_000_000 + micros)
    }
}
