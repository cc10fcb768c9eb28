/// Exact parsing and formatting of plain decimal text ("12", "0.001250", "-3.5") as an
/// integer scaled by a power of ten. No exponent, no '+', no spaces, no leading zeros
/// ("007" is rejected, "0.7" is fine). Works on UTF-8 bytes.
enum DecimalText {
    static let powersOfTen: [Int64] = {
        var result: [Int64] = [1]
        for _ in 1...18 { result.append(result[result.count - 1] * 10) }
        return result
    }()

    /// Parses `text` as a decimal number times 10^`scale`.
    /// Fails with a message naming `what` and showing the offending text.
    static func parseScaled(
        _ text: some Collection<UInt8>, scale: Int, allowNegative: Bool, what: String
    ) -> Result<Int64, MoneyError> {
        var iterator = text.makeIterator()
        var negative = false
        var integer: Int64 = 0
        var integerDigits = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var sawPoint = false
        var leadingZero = false
        var first = true
        var display: String { String(decoding: text.prefix(40), as: UTF8.self) }
        while let byte = iterator.next() {
            defer { first = false }
            switch byte {
            case UInt8(ascii: "-") where first:
                guard allowNegative else {
                    return .failure(MoneyError("\(what) must not be negative (got \"\(display)\")"))
                }
                negative = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                let digit = Int64(byte &- UInt8(ascii: "0"))
                if sawPoint {
                    fractionDigits += 1
                    guard fractionDigits <= scale else {
                        return .failure(MoneyError(
                            "\(what) has more than \(scale) fractional digits (got \"\(display)\")"))
                    }
                    fraction = fraction * 10 + digit
                } else {
                    if leadingZero {
                        return .failure(MoneyError(
                            "\(what) must not have leading zeros (got \"\(display)\")"))
                    }
                    if integerDigits == 0 && digit == 0 { leadingZero = true }
                    integerDigits += 1
                    let (m, o1) = integer.multipliedReportingOverflow(by: 10)
                    let (s, o2) = m.addingReportingOverflow(digit)
                    guard !o1, !o2 else {
                        return .failure(MoneyError("\(what) is too large (got \"\(display)\")"))
                    }
                    integer = s
                }
            case UInt8(ascii: ".") where !sawPoint && integerDigits > 0:
                sawPoint = true
            default:
                return .failure(MoneyError(
                    "\(what) must be a plain decimal number like \"0.001250\" (got \"\(display)\")"))
            }
        }
        guard integerDigits > 0, !sawPoint || fractionDigits > 0 else {
            return .failure(MoneyError(
                "\(what) must be a plain decimal number like \"0.001250\" (got \"\(display)\")"))
        }
        let fractionScaled = fraction * powersOfTen[scale - fractionDigits]
        let (m, o1) = integer.multipliedReportingOverflow(by: powersOfTen[scale])
        let (s, o2) = m.addingReportingOverflow(fractionScaled)
        guard !o1, !o2 else {
            return .failure(MoneyError("\(what) is too large (got \"\(display)\")"))
        }
        return .success(negative ? -s : s)
    }

    /// Formats `value / 10^scale` with exactly `scale` fractional digits.
    static func format(_ value: Int64, scale: Int) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        append(value, scale: scale, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `format(value, scale:)` as UTF-8, without making a String.
    static func append(_ value: Int64, scale: Int, to bytes: inout [UInt8]) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        let magnitude = value.magnitude
        let divisor = UInt64(powersOfTen[scale])
        var integer = magnitude / divisor
        let fraction = magnitude % divisor
        let first = bytes.count
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(integer % 10))
            integer /= 10
        } while integer > 0
        bytes[first...].reverse()
        guard scale > 0 else { return }
        bytes.append(UInt8(ascii: "."))
        var place = divisor / 10
        var rest = fraction
        while place > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(rest / place))
            rest %= place
            place /= 10
        }
    }
}
