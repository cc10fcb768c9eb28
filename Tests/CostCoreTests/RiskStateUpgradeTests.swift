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

    /// A warm agent state with known short-term levels, hour-of-day paces, active minutes and
    /// session paces, its current encoding, and the byte counts version 4 (the paces), version 5
    /// (the active minutes) and version 6 (the session paces) added at the end.
    static func warmStateAndTails() throws -> (AgentRiskState, [UInt8], paces: Int, active: Int, sessions: Int) {
        let (replay, _) = RiskStateEncodingTests.warmState()
        var state = try #require(replay.agents.values.first { $0.eventsSeen > 50 })
        state.recentLevels[4] = 1.234_567_89
        state.recentLevels[5] = 9.876_543_21
        for slot in state.hourPace.indices { state.hourPace[slot] = UInt16(slot * 997 % 4000) }
        state.hourPaceDay = 20_000
        state.activeMinutes = 7
        state.sessionPace = 3.25
        state.sessionPaceMinute = 28_800_123
        state.sessionDayPace = 12.5
        state.sessionEarlierPace = 17.75
        state.sessionDay = 20_000
        let current = state.encoded()
        #expect(current[2] == AgentRiskState.version)
        var paces = RiskStateWriter(kind: AgentRiskState.kind, version: AgentRiskState.version, capacity: 64)
        for value in state.hourPace { paces.unsigned(UInt64(value)) }
        paces.signed(state.hourPaceDay)
        var active = RiskStateWriter(kind: AgentRiskState.kind, version: AgentRiskState.version, capacity: 8)
        active.signed(state.activeMinutes)
        var sessions = RiskStateWriter(kind: AgentRiskState.kind, version: AgentRiskState.version, capacity: 64)
        sessions.double(state.sessionPace)
        sessions.signed(state.sessionPaceMinute)
        sessions.double(state.sessionDayPace)
        sessions.double(state.sessionEarlierPace)
        sessions.signed(state.sessionDay)
        return (state, current, paces.bytes.count - 3, active.bytes.count - 3, sessions.bytes.count - 3)
    }

    /// What an older build left: no session paces; before version 5 no active minutes; before version 4 no hour-of-day paces;
    /// before version 3 no sixth level either.
    static func expectUpgrade(_ old: [UInt8], to expected: AgentRiskState) throws {
        let upgraded = try AgentRiskState(decoding: old)
        #expect(upgraded == expected)
        // Written back, it is the current version, and reads back equal.
        #expect(upgraded.encoded()[2] == AgentRiskState.version)
        #expect(try AgentRiskState(decoding: upgraded.encoded()) == expected)
    }

    /// `state` with the session paces as a state from before version 6 decodes them: empty.
    static func withoutSessionPaces(_ state: AgentRiskState) -> AgentRiskState {
        var expected = state
        expected.sessionPace = 0
        expected.sessionPaceMinute = .min
        expected.sessionDayPace = 0
        expected.sessionEarlierPace = 0
        expected.sessionDay = .min
        return expected
    }

    @Test("a version-5 agent state (no session paces) decodes with the session paces empty, everything else equal")
    func readsVersionFive() throws {
        let (state, current, _, _, sessions) = try Self.warmStateAndTails()
        var old = Array(current.dropLast(sessions))
        old[2] = 5
        try Self.expectUpgrade(old, to: Self.withoutSessionPaces(state))
    }

    @Test("a version-4 agent state (no active minutes) decodes with the events seen as active minutes, so a settled agent stays settled")
    func readsVersionFour() throws {
        let (state, current, _, active, sessions) = try Self.warmStateAndTails()
        var old = Array(current.dropLast(active + sessions))
        old[2] = 4
        var expected = Self.withoutSessionPaces(state)
        expected.activeMinutes = Int32(state.eventsSeen)
        try Self.expectUpgrade(old, to: expected)
        #expect(expected.activeMinutes >= RiskConfig().paceActiveMinutes)
    }

    @Test("a version-3 agent state (no hour-of-day paces) decodes with the paces empty, everything else equal")
    func readsVersionThree() throws {
        let (state, current, paces, active, sessions) = try Self.warmStateAndTails()
        var old = Array(current.dropLast(paces + active + sessions))
        old[2] = 3
        var expected = Self.withoutSessionPaces(state)
        expected.hourPace = Array(repeating: 0, count: 24)
        expected.hourPaceDay = .min
        expected.activeMinutes = Int32(state.eventsSeen)
        try Self.expectUpgrade(old, to: expected)
        // The paces start learning (and decaying) again at once.
        var replay = RiskReplay()
        replay.agents["agent-a"] = try AgentRiskState(decoding: old)
        let time = Double(RiskReplay.monday) + 30 * 86_400 + 3 * 3600
        for minute in 0..<30 {
            for index in 0..<4 { replay.call(at: time + Double(minute * 60 + index * 15)) }
        }
        #expect(replay.agents["agent-a"]!.hourPaceDay == Int64(time / 86_400))
    }

    @Test("a version-2 agent state (five short-term levels, no paces) decodes with the slow level starting at the short-term one")
    func readsVersionTwo() throws {
        let (state, current, paces, active, sessions) = try Self.warmStateAndTails()
        // The same state as version 2 wrote it: no sixth level, no paces, no active minutes.
        let pair = Self.bytes(state.recentLevels[4]) + Self.bytes(state.recentLevels[5])
        let at = try #require((0...(current.count - pair.count)).first { Array(current[$0..<($0 + pair.count)]) == pair })
        var old = Array(current[..<(at + 8)]) + Array(current[(at + 16)...].dropLast(paces + active + sessions))
        old[2] = 2
        var expected = Self.withoutSessionPaces(state)
        expected.recentLevels[5] = state.recentLevels[4]
        expected.hourPace = Array(repeating: 0, count: 24)
        expected.hourPaceDay = .min
        expected.activeMinutes = Int32(state.eventsSeen)
        try Self.expectUpgrade(old, to: expected)
    }

    @Test("a state with a pace out of range is refused")
    func refusesPaceOutOfRange() throws {
        let (_, current, paces, active, sessions) = try Self.warmStateAndTails()
        var tail = RiskStateWriter(kind: AgentRiskState.kind, version: AgentRiskState.version, capacity: 64)
        tail.unsigned(70_000)
        for _ in 1..<24 { tail.unsigned(0) }
        tail.signed(Int64(20_000))
        tail.signed(Int32(7))
        let bad = Array(current.dropLast(paces + active + sessions)) + Array(tail.bytes.dropFirst(3))
        let error = #expect(throws: RiskStateError.self) { try AgentRiskState(decoding: bad) }
        #expect(error?.description.contains("pace out of range") == true)
    }

    @Test("a state with negative active minutes is refused")
    func refusesNegativeActiveMinutes() throws {
        let (_, current, _, active, sessions) = try Self.warmStateAndTails()
        var tail = RiskStateWriter(kind: AgentRiskState.kind, version: AgentRiskState.version, capacity: 8)
        tail.signed(Int32(-3))
        let bad = Array(current.dropLast(active + sessions)) + Array(tail.bytes.dropFirst(3))
        let error = #expect(throws: RiskStateError.self) { try AgentRiskState(decoding: bad) }
        #expect(error?.description.contains("active minutes out of range") == true)
    }

    @Test("a state with a negative session pace is refused")
    func refusesNegativeSessionPace() throws {
        let (state, current, _, _, sessions) = try Self.warmStateAndTails()
        var tail = RiskStateWriter(kind: AgentRiskState.kind, version: AgentRiskState.version, capacity: 64)
        tail.double(-1)
        tail.signed(state.sessionPaceMinute)
        tail.double(state.sessionDayPace)
        tail.double(state.sessionEarlierPace)
        tail.signed(state.sessionDay)
        let bad = Array(current.dropLast(sessions)) + Array(tail.bytes.dropFirst(3))
        let error = #expect(throws: RiskStateError.self) { try AgentRiskState(decoding: bad) }
        #expect(error?.description.contains("session pace out of range") == true)
    }

    @Test("a version-1 session state (a 4-minute ring) decodes into the 10-minute ring with its minutes in place")
    func readsSessionVersionOne() throws {
        // What version 1 wrote: events seen, then a ring of 4 minutes.
        var oldRing = RiskMinuteRing(size: 4)
        var ring = RiskMinuteRing(size: SessionRiskState.minuteCount)
        for (minute, calls) in [(1_000, 2), (1_001, 5), (1_003, 1)] as [(Int64, Int)] {
            oldRing.advance(to: minute)
            ring.advance(to: minute)
            for _ in 0..<calls {
                oldRing.add(minute: minute, cost: Nanodollars(1_500))
                ring.add(minute: minute, cost: Nanodollars(1_500))
            }
        }
        var writer = RiskStateWriter(kind: SessionRiskState.kind, version: 1, capacity: 64)
        writer.signed(Int64(8))
        oldRing.write(to: &writer)
        let session = try SessionRiskState(decoding: writer.bytes)
        var expected = SessionRiskState()
        expected.eventsSeen = 8
        expected.minutes = ring
        #expect(session == expected)
        #expect(session.minutes.calls(at: 1_001) == 5)
        #expect(session.minutes.cost(at: 1_000) == Nanodollars(3_000))
        // Written back, it is the current version, and reads back equal.
        #expect(session.encoded()[2] == SessionRiskState.version)
        #expect(try SessionRiskState(decoding: session.encoded()) == expected)
    }

    @Test("a version older than the oldest readable one is refused with both numbers")
    func refusesVersionOne() throws {
        var bytes = AgentRiskState().encoded()
        bytes[2] = 1
        let error = #expect(throws: RiskStateError.self) { try AgentRiskState(decoding: bytes) }
        #expect(error?.description.contains("format version 1; this build reads versions 2–6") == true)
    }
}
