@testable import CostCore
import Testing

/// A new build must keep reading the agent states an older build left in Redis, or an upgrade
/// would forget every agent's learned history (and score them all as new).
@Suite("Risk state upgrade")
struct RiskStateUpgradeTests {
    /// Little-endian bytes of a double, as `RiskStateWriter` writes it.
    static func bytes(_ value: Double) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value.bitPattern >> (8 * UInt64($0))) }
    }

    @Test("a version-2 agent state (five short-term levels) decodes with the slow level starting at the short-term one, everything else equal")
    func readsVersionTwo() throws {
        let (replay, _) = RiskStateEncodingTests.warmState()
        var state = try #require(replay.agents.values.first { $0.eventsSeen > 50 })
        state.recentLevels[4] = 1.234_567_89
        state.recentLevels[5] = 9.876_543_21
        let current = state.encoded()
        #expect(current[2] == AgentRiskState.version)

        // The same state as version 2 wrote it: no sixth level.
        let pair = Self.bytes(state.recentLevels[4]) + Self.bytes(state.recentLevels[5])
        let at = try #require((0...(current.count - pair.count)).first { Array(current[$0..<($0 + pair.count)]) == pair })
        var old = Array(current[..<(at + 8)]) + Array(current[(at + 16)...])
        old[2] = 2

        let upgraded = try AgentRiskState(decoding: old)
        var expected = state
        expected.recentLevels[5] = state.recentLevels[4]
        #expect(upgraded == expected)
        // Written back, it is the current version, and reads back equal.
        #expect(upgraded.encoded()[2] == AgentRiskState.version)
        #expect(try AgentRiskState(decoding: upgraded.encoded()) == expected)
    }

    @Test("a version older than the oldest readable one is refused with both numbers")
    func refusesVersionOne() throws {
        var bytes = AgentRiskState().encoded()
        bytes[2] = 1
        let error = #expect(throws: RiskStateError.self) { try AgentRiskState(decoding: bytes) }
        #expect(error?.description.contains("format version 1; this build reads versions 2–3") == true)
    }
}
