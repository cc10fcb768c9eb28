import PostgresClient

/// One versioned schema change. Versions are applied in order, each in its own transaction,
/// and recorded in `schema_migrations`.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let sql: String

    /// Every migration this build knows, in order. The last one's version is the schema
    /// version the workers require.
    public static let all: [Migration] = [.initialSchema, .budgets, .breaker, .security]

    public static var latestVersion: Int { all.last?.version ?? 0 }
}
