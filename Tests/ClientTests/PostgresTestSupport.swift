import Testing
import PostgresClient

enum PostgresTestSupport {
    static func url() throws -> String {
        try RedisTestSupport.requiredEnv("COST_PG_URL")
    }

    static func connect() throws -> PGConnection {
        try PGConnection(url: try url(), applicationName: "client-tests")
    }

    /// The password inside `postgresql://user:password@…`.
    static func password(in url: String) -> String? {
        guard let schemeEnd = url.firstRange(of: "://") else { return nil }
        let authority = url[schemeEnd.upperBound...].prefix { $0 != "/" }
        guard let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") else { return nil }
        return String(authority[authority.index(after: colon)..<at])
    }

    /// `url` with its password replaced.
    static func url(_ url: String, withPassword newPassword: String) throws -> String {
        let old = try #require(password(in: url), "COST_PG_URL should carry a password")
        return url.replacing(":\(old)@", with: ":\(newPassword)@")
    }
}

struct PostgresTestFailure: Error, Equatable {
    let reason: String
}
