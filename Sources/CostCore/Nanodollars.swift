/// Exact money: integer nanodollars (1e-9 USD). Never a binary float.
///
/// `+` and `-` never trap: on overflow they saturate at `Int64.min` / `Int64.max`
/// (about ±9.2 billion USD), which is over any budget and so errs on the safe side.
/// Use `adding(_:)` / `subtracting(_:)` to be told about overflow instead.
public struct Nanodollars: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var value: Int64

    public init(_ value: Int64) {
        self.value = value
    }

    public static let zero = Nanodollars(0)
    public static let max = Nanodollars(Int64.max)

    /// Parses a decimal USD string ("0.001250", "12", "3.5"): ≥ 0 unless `allowNegative`,
    /// at most 9 fractional digits, no exponent, no '+', no spaces, no leading zeros.
    public static func parseUSD(
        _ text: some StringProtocol, allowNegative: Bool = false
    ) throws(MoneyError) -> Nanodollars {
        switch DecimalText.parseScaled(text.utf8, scale: 9, allowNegative: allowNegative, what: "USD amount") {
        case .success(let value): return Nanodollars(value)
        case .failure(let error): throw error
        }
    }

    /// Fixed 9 fractional digits: "0.001250000", "-1.000000000" (PostgreSQL numeric(20,9) input).
    public var decimalString: String {
        DecimalText.format(value, scale: 9)
    }

    /// Appends `decimalString` as UTF-8, without making a String.
    public func appendDecimal(to bytes: inout [UInt8]) {
        DecimalText.append(value, scale: 9, to: &bytes)
    }

    /// "$0.001250000", "-$1.000000000".
    public var description: String {
        value < 0 ? "-$" + decimalString.dropFirst() : "$" + decimalString
    }

    public static func < (lhs: Nanodollars, rhs: Nanodollars) -> Bool {
        lhs.value < rhs.value
    }

    /// Checked sum: throws instead of overflowing.
    public func adding(_ other: Nanodollars) throws(MoneyError) -> Nanodollars {
        let (sum, overflow) = value.addingReportingOverflow(other.value)
        guard !overflow else { throw MoneyError("sum of \(self) and \(other) overflows") }
        return Nanodollars(sum)
    }

    /// Checked difference: throws instead of overflowing.
    public func subtracting(_ other: Nanodollars) throws(MoneyError) -> Nanodollars {
        let (difference, overflow) = value.subtractingReportingOverflow(other.value)
        guard !overflow else { throw MoneyError("difference of \(self) and \(other) overflows") }
        return Nanodollars(difference)
    }

    /// Saturating sum (never traps).
    public static func + (lhs: Nanodollars, rhs: Nanodollars) -> Nanodollars {
        let (sum, overflow) = lhs.value.addingReportingOverflow(rhs.value)
        if overflow { return Nanodollars(rhs.value > 0 ? Int64.max : Int64.min) }
        return Nanodollars(sum)
    }

    /// Saturating difference (never traps).
    public static func - (lhs: Nanodollars, rhs: Nanodollars) -> Nanodollars {
        let (difference, overflow) = lhs.value.subtractingReportingOverflow(rhs.value)
        if overflow { return Nanodollars(rhs.value < 0 ? Int64.max : Int64.min) }
        return Nanodollars(difference)
    }

    public static func += (lhs: inout Nanodollars, rhs: Nanodollars) {
        lhs = lhs + rhs
    }

    public static func -= (lhs: inout Nanodollars, rhs: Nanodollars) {
        lhs = lhs - rhs
    }
}
