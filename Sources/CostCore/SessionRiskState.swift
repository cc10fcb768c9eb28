/// What the risk scorer remembers about one session: calls and cost of its last minutes.
public struct SessionRiskState: Sendable, Equatable {
    public internal(set) var eventsSeen: Int64 = 0
    var minutes = RiskMinuteRing(size: 4)

    public init() {}

    static let kind = UInt8(ascii: "S")
    static let version: UInt8 = 1

    /// Compact binary form (see `RiskStateWriter`): about 20 bytes.
    public func encoded() -> [UInt8] {
        var writer = RiskStateWriter(kind: Self.kind, version: Self.version, capacity: 48)
        writer.signed(eventsSeen)
        minutes.write(to: &writer)
        return writer.bytes
    }

    public init(decoding bytes: [UInt8]) throws(RiskStateError) {
        var reader = try RiskStateReader(bytes, kind: Self.kind, version: Self.version, what: "session risk state")
        eventsSeen = try reader.signed()
        minutes = try RiskMinuteRing.read(from: &reader)
        try reader.finish()
    }
}
