/// What the risk scorer remembers about one session: calls and cost of its last minutes (as
/// many as the sustained rate looks at, `AgentRiskState.sustainedMinutes`).
public struct SessionRiskState: Sendable, Equatable {
    public internal(set) var eventsSeen: Int64 = 0
    var minutes = RiskMinuteRing(size: Self.minuteCount)

    public init() {}

    static let kind = UInt8(ascii: "S")
    /// 2: the minute ring holds 10 minutes (4 before). Version 1 is still read: its 4 minutes
    /// land in the newest minutes of the longer ring.
    static let version: UInt8 = 2
    static let minuteCount = AgentRiskState.sustainedMinutes

    /// Compact binary form (see `RiskStateWriter`): about 30 bytes.
    public func encoded() -> [UInt8] {
        var writer = RiskStateWriter(kind: Self.kind, version: Self.version, capacity: 64)
        writer.signed(eventsSeen)
        minutes.write(to: &writer)
        return writer.bytes
    }

    public init(decoding bytes: [UInt8]) throws(RiskStateError) {
        var reader = try RiskStateReader(bytes, kind: Self.kind, versions: 1...Self.version, what: "session risk state")
        eventsSeen = try reader.signed()
        try minutes.read(from: &reader)
        minutes = minutes.resized(to: Self.minuteCount)
        try reader.finish()
    }
}
