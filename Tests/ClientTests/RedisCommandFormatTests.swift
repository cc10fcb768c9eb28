import CHiredis
import Testing
@testable import RedisClient

/// Pipelined commands are formatted by `RedisConnection.formatted(_:)`, not by hiredis: the
/// bytes must be exactly those hiredis would send.
@Suite("Redis command formatting")
struct RedisCommandFormatTests {
    @Test func formattedCommandsAreHiredisBytes() {
        let commands: [[[UInt8]]] = [
            [Array("GET".utf8), Array("cost:risk:seen:e-1".utf8)],
            [Array("SET".utf8), Array("key".utf8), [], [0, 13, 10, 0xFF, 0x80]],
            [Array("EVALSHA".utf8), Array(repeating: UInt8(ascii: "a"), count: 40), Array("12".utf8)]
                + (0..<12).map { Array(repeating: UInt8(truncatingIfNeeded: $0), count: $0 * 997) },
        ]
        for args in commands {
            #expect(RedisConnection.formatted(args) == hiredisFormatted(args))
        }
    }

    private func hiredisFormatted(_ args: [[UInt8]]) -> [UInt8] {
        var target: UnsafeMutablePointer<CChar>?
        let length = RedisConnection.withArgv(args) { argc, argv, lengths in
            redisFormatCommandArgv(&target, argc, argv, lengths)
        }
        defer { redisFreeCommand(target) }
        return Array(UnsafeRawBufferPointer(start: target, count: Int(length)))
    }
}
