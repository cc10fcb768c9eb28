import AnomalyKit
import Testing

@Suite("Risk state keys")
struct RiskStateKeysTests {
    @Test("the byte keys the scorer sends are the documented keys' UTF-8", arguments: [
        ("planner", "s-1"), ("a:b", "c:d"), ("agent-ü/7@x", "sitzung-ß"), ("x", ""),
    ])
    func bytesMatchText(agentID: String, sessionID: String) {
        #expect(RiskStateKeys.sessionBytes(agentID: agentID, sessionID: sessionID)
                == Array(RiskStateKeys.session(agentID: agentID, sessionID: sessionID).utf8))
        #expect(RiskStateKeys.agentBytes(agentID) == Array(RiskStateKeys.agent(agentID).utf8))
        #expect(RiskStateKeys.seenBytes(eventID: sessionID) == Array(RiskStateKeys.seen(eventID: sessionID).utf8))
    }

    @Test("the agent id's length keeps session keys apart when ids contain ':'")
    func unambiguous() {
        #expect(RiskStateKeys.sessionBytes(agentID: "a:b", sessionID: "c")
                != RiskStateKeys.sessionBytes(agentID: "a", sessionID: "b:c"))
        #expect(String(decoding: RiskStateKeys.sessionBytes(agentID: "agent-ü", sessionID: "s"), as: UTF8.self)
                == "cost:risk:session:8:agent-ü:s")
    }
}
