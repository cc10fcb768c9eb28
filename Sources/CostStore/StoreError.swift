import PostgresClient

/// Errors of the record layer. Descriptions say what to do next and never carry secrets.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case notMigrated = "not_migrated"
        case newerSchema = "newer_schema"
        case database = "database"
        case invalidData = "invalid_data"
    }

    public let code: Code
    public let message: String
    public let isRetriable: Bool

    public init(code: Code, message: String, isRetriable: Bool) {
        self.code = code
        self.message = message
        self.isRetriable = isRetriable
    }

    public init(_ error: PGError) {
        self.init(code: .database, message: error.description, isRetriable: error.isRetriable)
    }

    public var description: String { message }
}

/// Runs `body`, turning a PostgreSQL error into a `StoreError` that keeps its retriability.
@inline(__always) @discardableResult
func store<T>(_ body: () throws -> T) throws(StoreError) -> T {
    do {
        return try body()
    } catch let error as StoreError {
        throw error
    } catch let error as PGError {
        throw StoreError(error)
    } catch {
        throw StoreError(code: .database, message: "\(error)", isRetriable: false)
    }
}
