/// A non-negative decimal number in JSON-like notation ("2.5e-06", "0.000003", "1.25E-7", "3")
/// held exactly as significant digits and a power of ten. Used to convert LiteLLM's per-token
/// prices without ever going through a binary float.
struct ScientificDecimal {
    /// Significant digits, no leading or trailing zeros (empty for zero).
    var digits: [UInt8]
    /// value = digits × 10^exponent
    var exponent: Int

    /// Parses `[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?` (leading zeros allowed, no sign).
    init?(_ bytes: [UInt8]) {
        var index = 0
        var digits: [UInt8] = []
        var exponent = 0
        var integerDigits = 0
        while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
            digits.append(bytes[index] - 48)
            integerDigits += 1
            index += 1
        }
        guard integerDigits > 0 else { return nil }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var fractionDigits = 0
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                digits.append(bytes[index] - 48)
                exponent -= 1
                fractionDigits += 1
                index += 1
            }
            guard fractionDigits > 0 else { return nil }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            var negative = false
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                negative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            var value = 0
            var exponentDigits = 0
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                value = Swift.min(value * 10 + Int(bytes[index] - 48), 100_000)  // saturate
                exponentDigits += 1
                index += 1
            }
            guard exponentDigits > 0 else { return nil }
            exponent += negative ? -value : value
        }
        guard index == bytes.count else { return nil }
        // Normalise: drop leading zeros, move trailing zeros into the exponent.
        let firstNonZero = digits.firstIndex { $0 != 0 } ?? digits.count
        digits.removeFirst(firstNonZero)
        while let last = digits.last, last == 0 {
            digits.removeLast()
            exponent += 1
        }
        if digits.isEmpty { exponent = 0 }
        self.digits = digits
        self.exponent = exponent
    }

    /// The value × 10^shift as an Int64, rounded half-to-even; nil when it does not fit.
    /// `rounded` is true when digits were dropped.
    func scaledToInteger(shift: Int) -> (value: Int64, rounded: Bool)? {
        if digits.isEmpty { return (0, false) }
        let power = exponent + shift
        if power >= 0 {
            guard digits.count + power <= 19 else { return nil }
            var value: Int128 = 0
            for digit in digits { value = value * 10 + Int128(digit) }
            for _ in 0..<power { value *= 10 }
            guard value <= Int128(Int64.max) else { return nil }
            return (Int64(value), false)
        }
        // Keep the first (count + power) digits; the rest decide the rounding.
        let kept = digits.count + power
        guard kept <= 19 else { return nil }
        // Below a tenth of a unit: rounds to zero.
        if kept < 0 { return (0, true) }
        var value: Int128 = 0
        for digit in digits[0..<kept] { value = value * 10 + Int128(digit) }
        // Dropped part, as a fraction of one unit: compare it with one half.
        let dropped = digits[kept...]
        let firstDropped = dropped[dropped.startIndex]
        let moreAfterFirst = dropped.dropFirst().contains { $0 != 0 }
        let roundUp: Bool
        if firstDropped > 5 || (firstDropped == 5 && moreAfterFirst) {
            roundUp = true
        } else if firstDropped == 5 {
            roundUp = value % 2 == 1  // exactly half: to even
        } else {
            roundUp = false
        }
        if roundUp { value += 1 }
        guard value <= Int128(Int64.max) else { return nil }
        return (Int64(value), true)
    }
}
