/// A proleptic Gregorian calendar date, converted to and from days since 1970-01-01
/// (Howard Hinnant's algorithms). Pure integer arithmetic, valid for years 0...9999 and beyond.
struct CivilDate: Equatable {
    var year: Int64
    var month: Int64  // 1...12
    var day: Int64    // 1...31

    static func isLeapYear(_ year: Int64) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    var daysSinceEpoch: Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    init(year: Int64, month: Int64, day: Int64) {
        self.year = year
        self.month = month
        self.day = day
    }

    init(daysSinceEpoch days: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// "YYYY-MM-DD" (years outside 0...9999 are printed as they are).
    var isoString: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(10)
        appendISO(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `isoString` as UTF-8.
    func appendISO(to bytes: inout [UInt8]) {
        if year >= 0 && year <= 9999 {
            appendDigits(&bytes, year, width: 4)
        } else {
            bytes.append(contentsOf: String(year).utf8)
        }
        bytes.append(UInt8(ascii: "-"))
        appendDigits(&bytes, month, width: 2)
        bytes.append(UInt8(ascii: "-"))
        appendDigits(&bytes, day, width: 2)
    }
}

/// Appends `value` (≥ 0) as exactly `width` decimal digits, zero padded.
func appendDigits(_ bytes: inout [UInt8], _ value: Int64, width: Int) {
    if width == 2 {  // months, days, hours, minutes, seconds: the common case
        bytes.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: (value / 10) % 10))
        bytes.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: value % 10))
        return
    }
    var divisor: Int64 = 1
    for _ in 1..<width { divisor *= 10 }
    var rest = value
    while divisor > 0 {
        bytes.append(UInt8(ascii: "0") + UInt8((rest / divisor) % 10))
        rest %= divisor
        divisor /= 10
    }
}
