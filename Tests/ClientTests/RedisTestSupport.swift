import Testing
import RedisClient
#if canImport(Glibc)
import Glibc
#endif

/// Shared helpers for the Redis and Postgres client suites (namespaced to avoid clashes).
enum RedisTestSupport {
    static let missingServersHint = "run ops/servers up and source .data/env"

    /// The value of an environment variable the integration tests need; records a failure
    /// (never a silent skip) when it is missing.
    static func requiredEnv(_ name: String) throws -> String {
        try #require(getenv(name).map { String(cString: $0) }, "\(name) is not set: \(missingServersHint)")
    }

    /// COST_REDIS_URL pointed at database 15, which the tests may dirty (never db 0).
    static func config() throws -> RedisConfig {
        var config = try RedisConfig(url: try requiredEnv("COST_REDIS_URL"))
        config.database = 15
        config.timeout = .seconds(3)
        return config
    }

    static func connect() throws -> RedisConnection {
        try RedisConnection(config: try config())
    }

    /// A key prefix no other test run uses.
    static func uniquePrefix(_ name: String) -> String {
        "test:redisclient:\(name):\(UInt64.random(in: 0...UInt64.max)):"
    }

    /// A loopback TCP port nobody listens on: bound to learn a free port, then released.
    static func closedLocalPort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                _ = bind(fd, raw, length)
                _ = getsockname(fd, raw, &length)
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Resident set size of this process from /proc/self/statm, in bytes.
    static func residentBytes() -> Int {
        guard let file = fopen("/proc/self/statm", "r") else { return 0 }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 256)
        guard fgets(&buffer, Int32(buffer.count), file) != nil else { return 0 }
        let fields = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
