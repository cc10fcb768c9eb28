import CostCore
import Testing

@Suite("Timestamps")
struct TimestampTests {
    @Test("RFC 3339 forms parse to the same instant", arguments: [
        "2026-11-27T05:00:00Z", "2026-11-27t05:00:00z", "2026-11-27T07:00:00+02:00",
        "2026-11-27T00:30:00-04:30", "2026-11-27T05:00:00.000000Z",
    ])
    func equivalentForms(_ text: String) throws {
        let time = try #require(Timestamp.parseRFC3339(text))
        #expect(time == Timestamp(secondsSinceEpoch: 1_795_755_600))
    }

    @Test("fractions: milliseconds kept, beyond microseconds truncated")
    func fractions() throws {
        #expect(Timestamp.parseRFC3339("2026-11-27T05:00:00.123Z")?.microsecondsSinceEpoch == 1_795_755_600_123_000)
        #expect(Timestamp.parseRFC3339("2026-11-27T05:00:00.123456789+02:00")?.microsecondsSinceEpoch
                == 1_795_748_400_123_456)
        #expect(Timestamp.parseRFC3339("2016-12-31T23:59:60Z")?.rfc3339 == "2016-12-31T23:59:59.999999Z")
    }

    @Test("invalid timestamps are rejected", arguments: [
        "2026-11-27T05:00:00", "2026-11-27 05:00:00Z", "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z",
        "2025-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-11-27T24:00:00Z", "2026-11-27T05:60:00Z",
        "2026-11-27T05:00:61Z", "2026-11-27T05:00:00.Z", "2026-11-27T05:00:00+0200", "2026-11-27T05:00:00+24:00",
        "26-11-27T05:00:00Z", "2026-11-27T05:00:00Zjunk", "", "2026-1-27T05:00:00Z",
    ])
    func invalid(_ text: String) {
        #expect(Timestamp.parseRFC3339(text) == nil)
    }

    @Test("leap days are valid in leap years only")
    func leapDays() {
        #expect(Timestamp.parseRFC3339("2024-02-29T00:00:00Z") != nil)
        #expect(Timestamp.parseRFC3339("2000-02-29T00:00:00Z") != nil)
        #expect(Timestamp.parseRFC3339("1900-02-29T00:00:00Z") == nil)
    }

    @Test("formatting and civil-date helpers are UTC")
    func formatting() throws {
        let time = try #require(Timestamp.parseRFC3339("2024-02-29T23:59:59.5-01:00"))
        #expect(time.rfc3339 == "2024-03-01T00:59:59.500000Z")
        #expect(time.utcDayString == "2024-03-01")
        #expect(time.utcMonthStartString == "2024-03-01")
        #expect(Timestamp(microsecondsSinceEpoch: -1).rfc3339 == "1969-12-31T23:59:59.999999Z")
        #expect(Timestamp(microsecondsSinceEpoch: -1).utcMonthStartString == "1969-12-01")
        #expect(Timestamp(secondsSinceEpoch: 0).adding(seconds: 86_400).utcDayString == "1970-01-02")
        #expect(Timestamp(microsecondsSinceEpoch: .max).adding(seconds: 10).microsecondsSinceEpoch == .max)
    }

    @Test("every formatted instant parses back", arguments: [Int64(0), 951_782_400_000_001, 4_102_444_799_999_999, -2_208_988_800_000_000])
    func roundTrip(_ micros: Int64) {
        let time = Timestamp(microsecondsSinceEpoch: micros)
        #expect(Timestamp.parseRFC3339(time.rfc3339) == time)
    }
}
