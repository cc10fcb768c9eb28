/// Where the anomaly workers keep their shared state in Redis (documented in the README):
///
///     cost:risk:agent:<agent_id>                      hash: v = version, s = AgentRiskState.encoded()
///     cost:risk:session:<len(agent_id)>:<agent_id>:<session_id>   string: SessionRiskState.encoded()
///     cost:risk:seen:<event_id>                       string: the event's stored outcome (RiskOutcome)
///
/// The agent hash's `v` guards the agent state, its sessions and its events' seen markers
/// together: all three are written by one compare-and-set script (`RiskCommitScript`).
public enum RiskStateKeys {
    public static func agent(_ agentID: String) -> String { "cost:risk:agent:" + agentID }

    /// The agent id's length makes the key unambiguous even when ids contain ':'.
    public static func session(agentID: String, sessionID: String) -> String {
        "cost:risk:session:\(agentID.utf8.count):\(agentID):\(sessionID)"
    }

    public static func seen(eventID: String) -> String { "cost:risk:seen:" + eventID }

    /// `session(agentID:sessionID:)` as the UTF-8 bytes sent to Redis.
    public static func sessionBytes(agentID: String, sessionID: String) -> [UInt8] {
        let length = String(agentID.utf8.count).utf8
        var bytes: [UInt8] = []
        bytes.reserveCapacity(sessionPrefix.count + length.count + agentID.utf8.count + sessionID.utf8.count + 2)
        bytes.append(contentsOf: sessionPrefix)
        bytes.append(contentsOf: length)
        bytes.append(UInt8(ascii: ":"))
        bytes.append(contentsOf: agentID.utf8)
        bytes.append(UInt8(ascii: ":"))
        bytes.append(contentsOf: sessionID.utf8)
        return bytes
    }

    /// `agent(_:)` as the UTF-8 bytes sent to Redis, built in one allocation.
    public static func agentBytes(_ agentID: String) -> [UInt8] { joined(agentPrefix, agentID) }

    /// `seen(eventID:)` as the UTF-8 bytes sent to Redis, built in one allocation.
    public static func seenBytes(eventID: String) -> [UInt8] { joined(seenPrefix, eventID) }

    private static let agentPrefix: [UInt8] = Array("cost:risk:agent:".utf8)
    private static let seenPrefix: [UInt8] = Array("cost:risk:seen:".utf8)
    private static let sessionPrefix: [UInt8] = Array("cost:risk:session:".utf8)

    private static func joined(_ prefix: [UInt8], _ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(prefix.count + text.utf8.count)
        bytes.append(contentsOf: prefix)
        bytes.append(contentsOf: text.utf8)
        return bytes
    }

    /// An idle agent's state expires after 35 days (its hour-of-week history spans 4 weeks).
    public static let agentTTLSeconds = 35 * 86_400
    /// A session's state covers its last 4 minutes.
    public static let sessionTTLSeconds = 3_600
    /// An event's seen marker outlives any realistic redelivery (as the budget counters' dedupe keys do).
    public static let seenTTLSeconds = 2 * 86_400
}
