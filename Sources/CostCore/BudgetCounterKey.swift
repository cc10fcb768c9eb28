/// Redis key names for spend counters, shared by every worker that reads or writes them.
///
/// - budget: `cost:budget:{<budget id>}:<period key>`, e.g. `cost:budget:{daily-global}:2026-11-27`
///   or `cost:budget:{team-a}:2026-11`
/// - credit limit: `cost:credit:{<provider>}:<since, unix seconds>`, e.g.
///   `cost:credit:{openai}:1767225600`
///
/// `spend` holds integer nanodollars (`INCRBY`). The `{…}` part is a Redis Cluster hash tag:
/// all keys of one budget or credit land in one slot, so a script may touch them together.
/// Budget ids and provider names never contain braces or colons (their validation forbids
/// them), so keys cannot collide. A budget whose zone changes keeps its key names: periods are
/// named by their local date only.
public struct BudgetCounterKey: Hashable, Sendable, CustomStringConvertible {
    /// The spend counter (integer nanodollars).
    public let spend: String

    public init(spend: String) {
        self.spend = spend
    }

    /// A companion key for the alerts already fired in the same period (e.g. a set of
    /// `"50"`, `"75"`, `"breaker"`, `"projected"`): `<spend>:alerts`.
    public var alerts: String { spend + ":alerts" }

    /// `cost:budget:{<id>}:<periodKey>`.
    public static func budget(id: String, periodKey: String) -> BudgetCounterKey {
        BudgetCounterKey(spend: "cost:budget:{" + id + "}:" + periodKey)
    }

    /// `cost:budget:{<id>}:<period.key>`.
    public static func budget(id: String, period: BudgetPeriod) -> BudgetCounterKey {
        budget(id: id, periodKey: period.key)
    }

    /// `cost:credit:{<provider>}:<since in whole unix seconds>`.
    public static func credit(provider: String, since: Timestamp) -> BudgetCounterKey {
        BudgetCounterKey(spend: "cost:credit:{" + provider + "}:" + String(since.secondsSinceEpoch))
    }

    public var description: String { spend }
}
