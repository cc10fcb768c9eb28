import Foundation

/// A validated time zone in which budget periods are cut into calendar days and months.
///
/// Zone math uses Foundation's `TimeZone(identifier:)` and a Gregorian `Calendar`, which read
/// the system's time zone database (tzdata, e.g. `/usr/share/zoneinfo`). That is data, not a
/// clock and not the environment: a period depends only on the identifier, the timestamp and
/// the installed tzdata version. Identifiers are IANA names such as `UTC`,
/// `America/New_York` or `Asia/Kolkata`, case-sensitive, at most 64 bytes; whatever
/// Foundation resolves is accepted and kept exactly as given.
///
/// Build one per budget and reuse it: building resolves the zone once.
public struct BudgetTimeZone: Hashable, Sendable, CustomStringConvertible {
    /// The identifier as given ("UTC", "America/New_York").
    public let identifier: String
    let calendar: Calendar

    public static let defaultIdentifier = "UTC"

    /// UTC, the default zone of a budget.
    public static let utc = BudgetTimeZone(identifier: "UTC", timeZone: .gmt)

    /// Resolves an IANA identifier; throws "unknown time zone 'Mars/Base'" when there is none.
    public init(identifier: String) throws(BudgetError) {
        guard !identifier.isEmpty, identifier.utf8.count <= 64,
              let timeZone = TimeZone(identifier: identifier)
        else {
            throw BudgetError("unknown time zone \(BudgetError.quoted(identifier))")
        }
        self.init(identifier: identifier, timeZone: timeZone)
    }

    private init(identifier: String, timeZone: TimeZone) {
        self.identifier = identifier
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    /// The day or month, local to this zone, that contains `timestamp`.
    public func period(_ kind: BudgetPeriodKind, containing timestamp: Timestamp) throws(BudgetError) -> BudgetPeriod {
        try BudgetPeriod(kind: kind, timeZone: self, containing: timestamp)
    }

    public var description: String { identifier }

    public static func == (lhs: BudgetTimeZone, rhs: BudgetTimeZone) -> Bool {
        lhs.identifier == rhs.identifier
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(identifier)
    }
}
