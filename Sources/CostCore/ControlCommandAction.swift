/// What an admin command does to a breaker (contract v1 §3).
public enum ControlAction: String, Sendable, CaseIterable, Hashable {
    /// Let calls through an open breaker until the override expires.
    case override
    /// Open a breaker by hand (until reset, or for `duration_minutes`).
    case trip
    /// Close a breaker by hand.
    case reset
}

/// The codes an override is issued under. Each has a maximum duration (see `KeysFile`) and a
/// set of keys allowed to use it; a code alone grants nothing.
public enum OverrideCode: String, Sendable, CaseIterable, Hashable {
    case emergency = "EMERGENCY_OVERRIDE"
    case budget = "BUDGET_OVERRIDE"
    case admin = "ADMIN_OVERRIDE"

    /// Maximum override length when the keys file does not set one: 60, 240, 1440 minutes.
    public var defaultMaxMinutes: Int {
        switch self {
        case .emergency: return 60
        case .budget: return 240
        case .admin: return 1440
        }
    }
}
