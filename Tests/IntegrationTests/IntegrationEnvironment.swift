import Foundation
import Testing

/// Where the servers, the executables and the data folder of this checkout are. Every
/// missing piece is a test failure with the command that fixes it, never a skip.
enum IntegrationEnvironment {
    static let missingServersHint = "run ops/servers up and source .data/env"

    /// The package root: three folders above this file (Tests/IntegrationTests/<file>).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func required(_ name: String) throws -> String {
        let value = ProcessInfo.processInfo.environment[name] ?? ""
        try #require(!value.isEmpty, "\(name) is not set: \(missingServersHint)")
        return value
    }

    static func pgURL() throws -> String { try required("COST_PG_URL") }
    static func adminAMQPURL() throws -> String { try required("COST_ADMIN_AMQP_URL") }
    static func workerAMQPURL() throws -> String { try required("COST_AMQP_URL") }
    static func agentAMQPURL() throws -> String { try required("COST_AGENT_AMQP_URL") }

    /// `.build/debug/<name>`, which `swift build` (and `ops/test`) produce.
    static func executable(_ name: String) throws -> URL {
        let url = packageRoot.appendingPathComponent(".build/debug/\(name)")
        try #require(FileManager.default.isExecutableFile(atPath: url.path),
                     "\(url.path) is missing: run `swift build` in \(packageRoot.path) first (ops/test does)")
        return url
    }

    /// The servers' data folder: $COST_DATA (ops/test sets .data/test), else <root>/.data.
    static var dataFolder: URL {
        if let value = ProcessInfo.processInfo.environment["COST_DATA"], !value.isEmpty {
            return URL(fileURLWithPath: value)
        }
        return packageRoot.appendingPathComponent(".data")
    }

    static var pricingCatalogFile: URL {
        packageRoot.appendingPathComponent("ops/pricing/catalog.json")
    }

    /// The password part of `scheme://user:password@host…`, to check that logs never show it.
    static func password(in url: String) -> String? {
        guard let schemeEnd = url.firstRange(of: "://") else { return nil }
        let authority = url[schemeEnd.upperBound...].prefix { $0 != "/" }
        guard let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") else { return nil }
        let password = authority[authority.index(after: colon)..<at]
        return password.isEmpty ? nil : String(password)
    }

    /// A short random suffix for names no other run uses.
    static func uniqueSuffix() -> String {
        String(UInt64.random(in: 0...UInt64.max), radix: 36)
    }
}
