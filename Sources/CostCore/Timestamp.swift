/// Unix time in microseconds (PostgreSQL timestamptz precision). Time always comes in as a
/// value: the core never reads a clock.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var microsecondsSinceEpoch: Int64

    public init(microsecondsSinceEpoch: Int64) {
        self.microsecondsSinceEpoch = microsecondsSinceEpoch
    }

    /// Saturates instead of overflowing for absurd inputs.
    public init(secondsSinceEpoch: Int64) {
        let (value, overflow) = secondsSinceEpoch.multipliedReportingOverflow(by: 1_000_000)
        microsecondsSinceEpoch = overflow ? (secondsSinceEpoch < 0 ? .min : .max) : value
    }

    public init(millisecondsSinceEpoch: Int64) {
        let (value, overflow) = millisecondsSinceEpoch.multipliedReportingOverflow(by: 1000)
        microsecondsSinceEpoch = overflow ? (millisecondsSinceEpoch < 0 ? .min : .max) : value
    }

    /// Whole milliseconds, rounded toward negative infinity.
    public var millisecondsSinceEpoch: Int64 {
        floorDivide(microsecondsSinceEpoch, 1000)
    }

    /// Whole seconds, rounded toward negative infinity.
    public var secondsSinceEpoch: Int64 {
        floorDivide(microsecondsSinceEpoch, 1_000_000)
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.microsecondsSinceEpoch < rhs.microsecondsSinceEpoch
    }

    /// Saturating: never traps.
    public func adding(seconds: Int64) -> Timestamp {
        adding(microseconds: Timestamp(secondsSinceEpoch: seconds).microsecondsSinceEpoch)
    }

    /// Saturating: never traps.
    public func adding(microseconds: Int64) -> Timestamp {
        let (value, overflow) = microsecondsSinceEpoch.addingReportingOverflow(microseconds)
        return Timestamp(microsecondsSinceEpoch: overflow ? (microseconds < 0 ? .min : .max) : value)
    }

    /// UTC, always 6 fractional digits: "2026-11-27T05:00:00.123456Z".
    public var rfc3339: String {
        format(alwaysFraction: true)
    }

    /// UTC, fraction only when not zero: "2026-11-27T05:00:00Z", "2026-11-27T05:00:00.123000Z".
    public var rfc3339Short: String {
        format(alwaysFraction: false)
    }

    public var description: String { rfc3339 }

    /// UTC day "YYYY-MM-DD".
    public var utcDayString: String {
        CivilDate(daysSinceEpoch: floorDivide(microsecondsSinceEpoch, Self.microsecondsPerDay)).isoString
    }

    /// First day of the UTC month, "YYYY-MM-01".
    public var utcMonthStartString: String {
        var date = CivilDate(daysSinceEpoch: floorDivide(microsecondsSinceEpoch, Self.microsecondsPerDay))
        date.day = 1
        return date.isoString
    }

    /// Midnight UTC at the start of this timestamp's day.
    public var utcDayStart: Timestamp {
        let days = floorDivide(microsecondsSinceEpoch, Self.microsecondsPerDay)
        return Timestamp(microsecondsSinceEpoch: days * Self.microsecondsPerDay)
    }

    static let microsecondsPerDay: Int64 = 86_400_000_000

    private func format(alwaysFraction: Bool) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(27)
        append(to: &bytes, alwaysFraction: alwaysFraction)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `rfc3339` (always 6 fractional digits) as UTF-8, without making a String.
    public func appendRFC3339(to bytes: inout [UInt8]) {
        append(to: &bytes, alwaysFraction: true)
    }

    private func append(to bytes: inout [UInt8], alwaysFraction: Bool) {
        let days = floorDivide(microsecondsSinceEpoch, Self.microsecondsPerDay)
        let inDay = microsecondsSinceEpoch - days * Self.microsecondsPerDay
        CivilDate(daysSinceEpoch: days).appendISO(to: &bytes)
        let seconds = inDay / 1_000_000
        let micros = inDay % 1_000_000
        bytes.append(UInt8(ascii: "T"))
        appendDigits(&bytes, seconds / 3600, width: 2)
        bytes.append(UInt8(ascii: ":"))
        appendDigits(&bytes, (seconds / 60) % 60, width: 2)
        bytes.append(UInt8(ascii: ":"))
        appendDigits(&bytes, seconds % 60, width: 2)
        if alwaysFraction || micros != 0 {
            bytes.append(UInt8(ascii: "."))
            appendDigits(&bytes, micros, width: 6)
        }
        bytes.append(UInt8(ascii: "Z"))
    }
}

func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
    let quotient = value / divisor
    return (value % divisor != 0 && value < 0) ? quotient - 1 : quotient
}
