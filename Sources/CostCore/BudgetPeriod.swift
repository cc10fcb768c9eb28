import Foundation

/// One calendar day or month in a time zone: the unit a budget's spend is counted in.
///
/// `start` is the first instant of the local day (or month) and `end` the first instant of
/// the next one, so a period is the half-open interval `start ..< end`: local midnight
/// belongs to the new day, one microsecond before it to the old one. Across a daylight-saving
/// change a day lasts 23 or 25 hours (and where a zone skips midnight, the day starts at the
/// first local time that exists, e.g. 01:00). An event counts toward the period of its
/// `occurred_at`, however late it arrives: compute the period from the event, never from "now".
///
/// Computing a period costs a few microseconds of calendar work; a caller that sees many
/// events can keep the last period and reuse it while `contains(_:)` holds.
public struct BudgetPeriod: Hashable, Sendable, CustomStringConvertible {
    public let kind: BudgetPeriodKind
    /// The identifier of the zone the period is local to.
    public let timeZoneIdentifier: String
    /// The local date: "2026-11-27" for a day, "2026-11" for a month. Sorts chronologically
    /// within one zone and kind.
    public let key: String
    /// First instant of the period (inclusive).
    public let start: Timestamp
    /// First instant of the next period (exclusive).
    public let end: Timestamp

    /// Timestamps from 0001-01-01 to 9999-12-31 (UTC) are supported.
    public static let supportedSeconds: ClosedRange<Int64> = -62_135_596_800 ... 253_402_300_799

    /// The period of `kind`, local to `timeZone`, that contains `timestamp`.
    public init(kind: BudgetPeriodKind, timeZone: BudgetTimeZone, containing timestamp: Timestamp) throws(BudgetError) {
        // Period boundaries are whole seconds (tzdata offsets are), so the floor second of
        // `timestamp` lies in the same period as the timestamp itself; it converts to a
        // `Date` exactly.
        let seconds = timestamp.secondsSinceEpoch
        guard Self.supportedSeconds.contains(seconds) else {
            throw BudgetError("timestamp \(seconds) s is outside the years 0001–9999")
        }
        let calendar = timeZone.calendar
        let component: Calendar.Component = kind == .day ? .day : .month
        guard let interval = calendar.dateInterval(of: component, for: Date(timeIntervalSince1970: Double(seconds))) else {
            throw BudgetError("cannot compute the \(kind) containing \(timestamp) in time zone \(timeZone.identifier)")
        }
        let startSeconds = Int64(interval.start.timeIntervalSince1970.rounded())
        let endSeconds = Int64(interval.end.timeIntervalSince1970.rounded())
        guard startSeconds <= seconds, seconds < endSeconds else {
            throw BudgetError("cannot compute the \(kind) containing \(timestamp) in time zone \(timeZone.identifier)")
        }
        // The local date of the period's first instant names the period.
        let offset = Int64(calendar.timeZone.secondsFromGMT(for: interval.start))
        let localDate = CivilDate(daysSinceEpoch: floorDivide(startSeconds + offset, 86_400))
        let isoDay = localDate.isoString
        self.kind = kind
        self.timeZoneIdentifier = timeZone.identifier
        self.key = kind == .day ? isoDay : String(isoDay.prefix(7))
        self.start = Timestamp(secondsSinceEpoch: startSeconds)
        self.end = Timestamp(secondsSinceEpoch: endSeconds)
    }

    /// Convenience: resolves the zone, then the period. Prefer building the `BudgetTimeZone`
    /// once when computing many periods.
    public init(kind: BudgetPeriodKind, timeZoneIdentifier: String, containing timestamp: Timestamp) throws(BudgetError) {
        try self.init(kind: kind, timeZone: BudgetTimeZone(identifier: timeZoneIdentifier), containing: timestamp)
    }

    /// Length of the period in microseconds (a day may be 23, 24 or 25 hours).
    public var durationMicroseconds: Int64 {
        end.microsecondsSinceEpoch - start.microsecondsSinceEpoch
    }

    /// True when `start <= timestamp < end`.
    public func contains(_ timestamp: Timestamp) -> Bool {
        start <= timestamp && timestamp < end
    }

    /// "day 2026-11-27 America/New_York".
    public var description: String {
        "\(kind) \(key) \(timeZoneIdentifier)"
    }
}
