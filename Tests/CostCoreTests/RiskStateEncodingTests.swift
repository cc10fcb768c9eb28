import CostCore
import Testing

@Suite("Risk state encoding")
struct RiskStateEncodingTests {
    static func warmState() -> (RiskReplay, [UsageEvent]) {
        let scenario = AnomalyScenario.generate(.init(seed: 3, agents: 4, days: 2, episodesPerAttack: 1))
        var replay = RiskReplay()
        let split = scenario.events.count * 3 / 4
        for item in scenario.events[..<split] { _ = replay.score(item.event) }
        return (replay, scenario.events[split...].map(\.event))
    }

    @Test("an agent's state survives encode and decode, and scoring continues identically")
    func agentRoundTrip() throws {
        var (replay, rest) = Self.warmState()
        #expect(!replay.agents.isEmpty)
        var decoded = replay
        for (id, state) in replay.agents {
            let bytes = state.encoded()
            #expect(bytes.count < 8192, "\(id): \(bytes.count) bytes")
            let back = try AgentRiskState(decoding: bytes)
            #expect(back == state)
            decoded.agents[id] = back
        }
        for (id, state) in replay.sessions {
            let back = try SessionRiskState(decoding: state.encoded())
            #expect(back == state)
            decoded.sessions[id] = back
        }
        for event in rest {
            #expect(replay.score(event) == decoded.score(event))
        }
        #expect(AgentRiskState().encoded().count < 768)
    }

    @Test("garbage, truncated, trailing or wrong-kind bytes are rejected")
    func rejectsBadBytes() throws {
        let (replay, _) = Self.warmState()
        let bytes = replay.agents.values.first!.encoded()
        #expect(throws: RiskStateError.self) { try AgentRiskState(decoding: Array(bytes.dropLast(5))) }
        #expect(throws: RiskStateError.self) { try AgentRiskState(decoding: bytes + [0]) }
        #expect(throws: RiskStateError.self) { try AgentRiskState(decoding: Array("hello".utf8)) }
        #expect(throws: RiskStateError.self) { try AgentRiskState(decoding: []) }
        let session = SessionRiskState().encoded()
        #expect(throws: RiskStateError.self) { try AgentRiskState(decoding: session) }
        var future = bytes
        future[2] = 99
        let error = #expect(throws: RiskStateError.self) { try AgentRiskState(decoding: future) }
        #expect(error?.description.contains("version 99") == true)
    }
}
