/// How a model call ended (contract v1 `status`; `success` when absent).
public enum UsageStatus: String, Sendable, CaseIterable {
    case success
    case error
    case timeout
    case rateLimited = "rate_limited"
    case cancelled
}
