/// LOW < 25 ≤ MEDIUM < 50 ≤ HIGH < 80 ≤ CRITICAL.
public enum RiskLevel: String, Sendable, Comparable, CaseIterable {
    case low = "LOW"
    case medium = "MEDIUM"
    case high = "HIGH"
    case critical = "CRITICAL"

    public init(score: Int) {
        switch score {
        case ..<25: self = .low
        case ..<50: self = .medium
        case ..<80: self = .high
        default: self = .critical
        }
    }

    private var rank: Int {
        switch self {
        case .low: return 0
        case .medium: return 1
        case .high: return 2
        case .critical: return 3
        }
    }

    public static func < (lhs: RiskLevel, rhs: RiskLevel) -> Bool { lhs.rank < rhs.rank }
}
