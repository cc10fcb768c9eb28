/// A budget, credit limit or budget period could not be built from the given input.
/// `message` says what was wrong and what a valid value looks like; it quotes the offending
/// input (shortened, control characters escaped) and never contains secrets.
public struct BudgetError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

extension BudgetError {
    /// `'text'` for an error message: at most 64 scalars, control characters escaped as `\u{…}`.
    static func quoted(_ text: String) -> String {
        var result = "'"
        var count = 0
        for scalar in text.unicodeScalars {
            count += 1
            if count > 61 {
                result += "..."
                break
            }
            let value = scalar.value
            if value < 0x20 || (value >= 0x7F && value <= 0x9F) {
                result += "\\u{" + String(value, radix: 16) + "}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result + "'"
    }

    /// A USD amount without trailing zeros and without "$": "-5", "0.00125", "12.5".
    static func usd(_ amount: Nanodollars) -> String {
        var text = amount.decimalString
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
