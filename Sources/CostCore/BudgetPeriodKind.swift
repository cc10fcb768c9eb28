/// The length of a budget period: a calendar day or a calendar month, in the budget's time zone.
public enum BudgetPeriodKind: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case day
    case month

    /// Parses `day` or `month` (exactly, lower case).
    public init(parsing text: String) throws(BudgetError) {
        guard let kind = BudgetPeriodKind(rawValue: text) else {
            throw BudgetError("unknown budget period \(BudgetError.quoted(text)): use day or month")
        }
        self = kind
    }

    public var description: String { rawValue }
}
