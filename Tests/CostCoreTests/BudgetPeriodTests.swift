import CostCore
import Testing

@Suite("Budget periods: local days and months, DST, boundaries")
struct BudgetPeriodTests {
    typealias F = BudgetFixture
    static let hour: Int64 = 3_600_000_000

    func day(_ zone: String, _ time: String) throws -> BudgetPeriod {
        try BudgetPeriod(kind: .day, timeZoneIdentifier: zone, containing: F.at(time))
    }

    func month(_ zone: String, _ time: String) throws -> BudgetPeriod {
        try BudgetPeriod(kind: .month, timeZoneIdentifier: zone, containing: F.at(time))
    }

    @Test("UTC day and month: key, start, end")
    func utc() throws {
        let d = try day("UTC", "2026-11-27T05:00:00.123Z")
        #expect(d.key == "2026-11-27")
        #expect(d.start == (try F.at("2026-11-27T00:00:00Z")))
        #expect(d.end == (try F.at("2026-11-28T00:00:00Z")))
        #expect(d.durationMicroseconds == 24 * Self.hour)
        #expect(d.kind == .day && d.timeZoneIdentifier == "UTC")
        #expect("\(d)" == "day 2026-11-27 UTC")

        let m = try month("UTC", "2026-11-27T05:00:00Z")
        #expect(m.key == "2026-11")
        #expect(m.start == (try F.at("2026-11-01T00:00:00Z")))
        #expect(m.end == (try F.at("2026-12-01T00:00:00Z")))
        #expect(try month("UTC", "2028-02-29T23:59:59Z").durationMicroseconds == 29 * 24 * Self.hour)
        #expect(try month("UTC", "2026-12-31T23:59:59.999999Z").end == (try F.at("2027-01-01T00:00:00Z")))
    }

    @Test("UTC boundaries: midnight starts the new day, 1 µs before belongs to the old one")
    func utcBoundaries() throws {
        #expect(try day("UTC", "2026-11-28T00:00:00Z").key == "2026-11-28")
        #expect(try day("UTC", "2026-11-27T23:59:59.999999Z").key == "2026-11-27")
        #expect(try month("UTC", "2026-12-01T00:00:00Z").key == "2026-12")
        #expect(try month("UTC", "2026-11-30T23:59:59.999999Z").key == "2026-11")
    }

    @Test("New York: a normal day is 24 hours, starting at local midnight (05:00Z)")
    func newYorkNormalDay() throws {
        let d = try day("America/New_York", "2026-11-27T12:00:00Z")
        #expect(d.key == "2026-11-27")
        #expect(d.start == (try F.at("2026-11-27T00:00:00-05:00")))
        #expect(d.end == (try F.at("2026-11-28T00:00:00-05:00")))
        #expect(d.durationMicroseconds == 24 * Self.hour)
        // 02:00 UTC on the 27th is still the evening of the 26th in New York.
        #expect(try day("America/New_York", "2026-11-27T02:00:00Z").key == "2026-11-26")
    }

    @Test("New York: the DST-start day 2026-03-08 lasts 23 hours")
    func newYorkSpringForward() throws {
        let d = try day("America/New_York", "2026-03-08T12:00:00Z")
        #expect(d.key == "2026-03-08")
        #expect(d.start == (try F.at("2026-03-08T00:00:00-05:00")))
        #expect(d.end == (try F.at("2026-03-09T00:00:00-04:00")))
        #expect(d.durationMicroseconds == 23 * Self.hour)
    }

    @Test("New York: the DST-end day 2026-11-01 lasts 25 hours")
    func newYorkFallBack() throws {
        let d = try day("America/New_York", "2026-11-01T12:00:00Z")
        #expect(d.key == "2026-11-01")
        #expect(d.start == (try F.at("2026-11-01T00:00:00-04:00")))
        #expect(d.end == (try F.at("2026-11-02T00:00:00-05:00")))
        #expect(d.durationMicroseconds == 25 * Self.hour)
        // Both 01:30 local times (EDT, then EST) are the same day.
        #expect(try day("America/New_York", "2026-11-01T01:30:00-04:00").key == "2026-11-01")
        #expect(try day("America/New_York", "2026-11-01T01:30:00-05:00").key == "2026-11-01")
    }

    @Test("New York: local midnight belongs to the new day, 1 µs before it to the old day")
    func newYorkMidnight() throws {
        let midnight = try day("America/New_York", "2026-11-28T00:00:00-05:00")
        #expect(midnight.key == "2026-11-28")
        #expect(midnight.start == (try F.at("2026-11-28T05:00:00Z")))
        let before = try day("America/New_York", "2026-11-27T23:59:59.999999-05:00")
        #expect(before.key == "2026-11-27")
        #expect(before.end == midnight.start)
        #expect(!before.contains(midnight.start))
        #expect(before.contains(try F.at("2026-11-27T23:59:59.999999-05:00")))
        // Month boundary in New York: 04:59:59.999999Z on Dec 1 is still November.
        #expect(try month("America/New_York", "2026-12-01T04:59:59.999999Z").key == "2026-11")
        #expect(try month("America/New_York", "2026-12-01T05:00:00Z").key == "2026-12")
    }

    @Test("Kolkata (+05:30): the month changes at 18:30 UTC")
    func kolkataMonth() throws {
        let november = try month("Asia/Kolkata", "2026-11-30T18:29:59.999999Z")
        #expect(november.key == "2026-11")
        #expect(november.start == (try F.at("2026-10-31T18:30:00Z")))
        #expect(november.end == (try F.at("2026-11-30T18:30:00Z")))
        let december = try month("Asia/Kolkata", "2026-11-30T18:30:00Z")
        #expect(december.key == "2026-12")
        #expect(december.start == november.end)
        #expect(december.end == (try F.at("2026-12-31T18:30:00Z")))
    }

    @Test("Auckland (+13 in November): the local date is ahead of UTC")
    func auckland() throws {
        let d = try day("Pacific/Auckland", "2026-11-27T12:00:00Z")
        #expect(d.key == "2026-11-28")
        #expect(d.start == (try F.at("2026-11-27T11:00:00Z")))
        #expect(d.end == (try F.at("2026-11-28T11:00:00Z")))
        #expect(try month("Pacific/Auckland", "2026-11-30T11:00:00Z").key == "2026-12")
        #expect(try month("Pacific/Auckland", "2026-11-30T10:59:59.999999Z").key == "2026-11")
    }

    @Test("Santiago: a day whose midnight does not exist starts at 01:00 local")
    func santiagoSkippedMidnight() throws {
        let d = try day("America/Santiago", "2026-09-06T12:00:00Z")
        #expect(d.key == "2026-09-06")
        #expect(d.start == (try F.at("2026-09-06T01:00:00-03:00")))
        #expect(d.durationMicroseconds == 23 * Self.hour)
        #expect(try day("America/Santiago", "2026-09-06T03:59:59.999999Z").key == "2026-09-05")
    }

    @Test("a reused zone gives the same periods; periods tile time without gaps")
    func tiling() throws {
        let zone = try BudgetTimeZone(identifier: "America/New_York")
        var period = try zone.period(.day, containing: F.at("2026-10-30T12:00:00Z"))
        for _ in 0..<5 {
            let next = try zone.period(.day, containing: period.end)
            #expect(next.start == period.end)
            #expect(next.key > period.key)
            period = next
        }
        #expect(period.key == "2026-11-04")
    }

    @Test("unknown time zones are refused", arguments: ["Mars/Base", "", "america/new_york", "utc"])
    func unknownZone(_ identifier: String) {
        #expect(throws: BudgetError("unknown time zone '\(identifier)'")) {
            try BudgetTimeZone(identifier: identifier)
        }
    }

    @Test("timestamps outside the years 0001–9999 are refused")
    func outOfRange() {
        #expect(throws: BudgetError.self) {
            try BudgetPeriod(kind: .day, timeZone: .utc, containing: Timestamp(microsecondsSinceEpoch: .max))
        }
    }

    @Test("period kinds parse from day and month only")
    func kinds() throws {
        #expect(try BudgetPeriodKind(parsing: "day") == .day)
        #expect(try BudgetPeriodKind(parsing: "month") == .month)
        #expect(throws: BudgetError("unknown budget period 'week': use day or month")) {
            try BudgetPeriodKind(parsing: "week")
        }
    }
}
