import Testing
import AMQPClient
#if canImport(Glibc)
import Glibc
#endif

/// Shared helpers for the AMQP client suites.
enum AMQPTestSupport {
    static let missingServersHint = "run ops/servers up and source .data/env"

    /// An environment variable the integration tests need; a failure (never a skip) if unset.
    static func requiredEnv(_ name: String) throws -> String {
        try #require(getenv(name).map { String(cString: $0) }, "\(name) is not set: \(missingServersHint)")
    }

    static func adminConfig() throws -> AMQPConfig {
        try AMQPConfig(url: try requiredEnv("COST_ADMIN_AMQP_URL"))
    }

    static func admin() throws -> AMQPConnection {
        try AMQPConnection(config: try adminConfig())
    }

    /// A name no other run uses, e.g. `test.amqp.roundtrip.1234…`.
    static func uniqueName(_ purpose: String) -> String {
        "test.amqp.\(purpose).\(UInt64.random(in: 0...UInt64.max))"
    }

    /// A temporary queue that the broker also deletes by itself after 10 idle minutes,
    /// in case a test crashes before its cleanup.
    @discardableResult
    static func declareTemporaryQueue(_ connection: AMQPConnection, _ name: String,
                                      extra: [String: AMQPFieldValue] = [:]) throws -> String {
        var arguments: [String: AMQPFieldValue] = ["x-expires": .int(600_000)]
        arguments.merge(extra) { _, new in new }
        try connection.declareQueue(name, durable: false, arguments: arguments)
        return name
    }

    /// Deletes queues with a fresh admin connection (the test's own may be closed by then).
    static func deleteQueues(_ names: String...) {
        guard let admin = try? admin() else { return }
        for name in names { try? admin.deleteQueue(name) }
        admin.close()
    }

    /// Resident set size of this process in bytes, from /proc/self/statm.
    static func residentBytes() -> Int {
        guard let file = fopen("/proc/self/statm", "r") else { return 0 }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 128)
        let count = fread(&buffer, 1, buffer.count - 1, file)
        let text = String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    static func body(_ index: Int, size: Int = 64) -> [UInt8] {
        // Not UTF-8 on purpose: 0xFF/0xFE never appear in UTF-8, and a NUL in the middle.
        var bytes: [UInt8] = [0xFF, 0xFE, 0x00, 0xC3]
        withUnsafeBytes(of: UInt32(index).bigEndian) { bytes.append(contentsOf: $0) }
        while bytes.count < size { bytes.append(UInt8(truncatingIfNeeded: bytes.count &* 31 &+ index)) }
        return bytes
    }
}
