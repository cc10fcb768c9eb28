import AgentSDK
import CostCore
import Foundation
import Testing

/// The simulated fleet that `ops/run` starts is normal traffic: replayed through the risk
/// scorer it must stay quiet, long after its agents have settled (when novelty and the
/// sustained rate count), and when agents come back days after a short first run.
@Suite("Simulated fleet through the risk scorer")
struct SimulatedFleetRiskTests {
    static func catalog() throws -> PricingCatalog {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("ops/pricing/catalog.json")
        return PricingCatalog(prices: try PricingFile.parseCatalog(Array(try Data(contentsOf: url))))
    }

    /// Scores `seconds` of the fleet at `perSecond` events a second from `start`; returns the
    /// events at MEDIUM or above, at HIGH or above, and the breaker signals by reason.
    struct Tally {
        var events = 0, mediumPlus = 0, highPlus = 0
        var signals: [String: Int] = [:]
        var highReasons: [String: Int] = [:]
    }

    static func replay(
        _ fleet: inout SimulatedFleet, from start: Int64, seconds: Int64, perSecond: Int64, catalog: PricingCatalog,
        agents: inout [String: AgentRiskState], sessions: inout [String: SessionRiskState]
    ) -> Tally {
        var tally = Tally()
        let step = 1_000_000 / perSecond
        var micros = start * 1_000_000
        while micros < (start + seconds) * 1_000_000 {
            let event = fleet.next(at: Timestamp(microsecondsSinceEpoch: micros))
            let assessment = RiskScorer.score(
                event, cost: CostCalculator.price(event, catalog: catalog),
                agent: &agents[event.agentID, default: AgentRiskState()],
                session: &sessions[event.sessionID, default: SessionRiskState()])
            tally.events += 1
            if assessment.level >= .medium { tally.mediumPlus += 1 }
            if assessment.level >= .high {
                tally.highPlus += 1
                let reason = assessment.reasons.first.map { String($0.prefix(while: { $0 != ":" })) } ?? "?"
                tally.highReasons[reason, default: 0] += 1
            }
            if let signal = assessment.breakerSignal { tally.signals[signal, default: 0] += 1 }
            micros += step
        }
        return tally
    }

    @Test("20 fleet agents at 30 calls a minute for 6 hours: after settling, no switching or rate alarms from their rare calls to other models")
    func settledFleetStaysQuiet() throws {
        let catalog = try Self.catalog()
        var fleet = SimulatedFleet(agents: 20, seed: 7, runID: "t")
        var agents: [String: AgentRiskState] = [:]
        var sessions: [String: SessionRiskState] = [:]
        let start: Int64 = 1_790_000_000
        _ = Self.replay(&fleet, from: start, seconds: 4 * 3600, perSecond: 10, catalog: catalog, agents: &agents, sessions: &sessions)
        #expect(agents.values.allSatisfy { $0.hoursRecorded >= 1 })  // every agent is settled
        let settled = Self.replay(
            &fleet, from: start + 4 * 3600, seconds: 2 * 3600, perSecond: 10, catalog: catalog, agents: &agents, sessions: &sessions)
        #expect(settled.events == 72_000)
        // Each agent sends 0.2 % of its calls to some other model: about one every 15 minutes.
        // Before, two of them in 15 minutes scored every call of the agent HIGH (switching):
        // 9–12 % of all events. A stray call to a far pricier model may still be HIGH (a real
        // cost spike), but that is a sliver.
        #expect(settled.highReasons["switching", default: 0] == 0, "\(settled.highReasons)")
        #expect(settled.highReasons["rate", default: 0] == 0, "\(settled.highReasons)")
        #expect(Double(settled.highPlus) / Double(settled.events) < 0.002, "\(settled.highPlus) HIGH of \(settled.events)")
        #expect(Double(settled.mediumPlus) / Double(settled.events) < 0.01, "\(settled.mediumPlus) MEDIUM+ of \(settled.events)")
        #expect(settled.signals["rate_violation", default: 0] == 0)
    }

    @Test("fleet agents that ran 5 minutes and come back 3 days later are not taken for a runaway loop or a new pricey model, nor for a drift or hopping over the next days")
    func returningFleetStaysQuiet() throws {
        let catalog = try Self.catalog()
        var agents: [String: AgentRiskState] = [:]
        var sessions: [String: SessionRiskState] = [:]
        let start: Int64 = 1_790_000_000  // a Monday, 14:13 UTC
        var first = SimulatedFleet(agents: 20, seed: 7, runID: "a")
        _ = Self.replay(&first, from: start, seconds: 300, perSecond: 10, catalog: catalog, agents: &agents, sessions: &sessions)
        var back = SimulatedFleet(agents: 20, seed: 8, runID: "b")
        let later = Self.replay(
            &back, from: start + 3 * 86_400, seconds: 3600, perSecond: 10, catalog: catalog, agents: &agents, sessions: &sessions)
        #expect(later.events == 36_000)
        // Before: their pace had never been measured (the sustained rate needs 8 busy minutes of
        // 10), so their ordinary 30 calls a minute scored as a loop (about 4 % HIGH, a
        // rate_violation signal a minute per agent), and the idle days made the history factor
        // climb.
        #expect(later.highReasons["rate", default: 0] == 0, "\(later.highReasons)")
        #expect(later.highReasons["history", default: 0] == 0, "\(later.highReasons)")
        #expect(later.signals["rate_violation", default: 0] == 0)
        #expect(Double(later.highPlus) / Double(later.events) < 0.002, "\(later.highPlus) HIGH of \(later.events)")

        // They keep the new hours: 3 more hours that Thursday, then 4 on Friday and Saturday.
        // Before, the drift (hours far above their history, which was idle) made every call
        // HIGH from Thursday's 4th hour on, all day Friday; and by Saturday the few calls each
        // agent sends to rarely used models (now its own) fell 3 to a window now and then, 5
        // models from 4 providers, which counted as hopping for 15 minutes at a time.
        var days = Tally()
        for (day, first, hours) in [(3, 1, 3), (4, 0, 4), (5, 0, 4)] {
            for hour in first..<(first + hours) {
                let tally = Self.replay(&back, from: start + Int64(day) * 86_400 + Int64(hour) * 3600, seconds: 3600,
                                        perSecond: 10, catalog: catalog, agents: &agents, sessions: &sessions)
                #expect(Double(tally.highPlus) / Double(tally.events) < 0.002,
                        "day \(day), hour \(hour): \(tally.highPlus) HIGH of \(tally.events) \(tally.highReasons)")
                days.events += tally.events
                days.highPlus += tally.highPlus
                for (reason, count) in tally.highReasons { days.highReasons[reason, default: 0] += count }
            }
        }
        #expect(days.events == 11 * 36_000)
        #expect(days.highReasons["history", default: 0] == 0, "\(days.highReasons)")
        #expect(days.highReasons["switching", default: 0] == 0, "\(days.highReasons)")
        #expect(days.highReasons["rate", default: 0] == 0, "\(days.highReasons)")
    }
}

/// A fleet that moves its hours keeps its pace: no loop, while a real loop at the new hours is.
@Suite("Simulated fleet moving to the night")
struct SimulatedFleetShiftTests {
    @Test("fleet agents busy 9–17 for two days that work 20–24 on the third day are not taken for loops, while a loop at 5× their pace then is")
    func nightShiftIsNoLoop() throws {
        let catalog = try SimulatedFleetRiskTests.catalog()
        var agents: [String: AgentRiskState] = [:]
        var sessions: [String: SessionRiskState] = [:]
        let monday: Int64 = 1_789_948_800  // 2026-09-21, a Monday, 00:00 UTC
        var fleet = SimulatedFleet(agents: 20, seed: 3, runID: "s")
        for day in 0..<2 {  // 5 calls a second across 20 agents: 15 a minute each
            _ = SimulatedFleetRiskTests.replay(&fleet, from: monday + Int64(day) * 86_400 + 9 * 3600, seconds: 8 * 3600,
                                               perSecond: 5, catalog: catalog, agents: &agents, sessions: &sessions)
        }
        // Wednesday 20:00–24:00, 27 hours after their last call: the sustained peak has decayed
        // to nothing and they never worked at this time of day. Before, 94 % of these calls were
        // HIGH on rate, with a rate_violation signal (which opens the breaker) for nearly every one.
        let night = SimulatedFleetRiskTests.replay(&fleet, from: monday + 2 * 86_400 + 20 * 3600, seconds: 4 * 3600,
                                                   perSecond: 5, catalog: catalog, agents: &agents, sessions: &sessions)
        #expect(night.events == 72_000)
        #expect(night.highReasons["rate", default: 0] == 0, "\(night.highReasons)")
        #expect(night.signals["rate_violation", default: 0] == 0, "\(night.signals)")
        #expect(Double(night.highPlus) / Double(night.events) < 0.002, "\(night.highPlus) HIGH of \(night.events)")

        // The next night one agent runs a loop beside its work: a call a second, 5× its pace.
        var loop: [RiskAssessment] = []
        var micros = (monday + 3 * 86_400 + 20 * 3600) * 1_000_000
        for index in 0..<(20 * 60 * 5) {  // 20 minutes of the fleet at 5/s, with the loop's calls between
            let event = fleet.next(at: Timestamp(microsecondsSinceEpoch: micros))
            _ = RiskScorer.score(event, cost: CostCalculator.price(event, catalog: catalog),
                                 agent: &agents[event.agentID, default: AgentRiskState()],
                                 session: &sessions[event.sessionID, default: SessionRiskState()])
            if index % 5 == 0 {
                var call = event
                call.eventID = "loop-\(index)"
                call.agentID = "agent-4"
                call.sessionID = "agent-4-loop"
                loop.append(RiskScorer.score(call, cost: CostCalculator.price(call, catalog: catalog),
                                             agent: &agents[call.agentID, default: AgentRiskState()],
                                             session: &sessions[call.sessionID, default: SessionRiskState()]))
            }
            micros += 200_000
        }
        let late = loop.suffix(600)  // its last 10 minutes
        #expect(late.filter { $0.level >= .high }.count >= 590, "\(late.filter { $0.level >= .high }.count) of 600 HIGH")
        #expect(late.last!.factors.rate == 1, "\(late.last!.factors) \(late.last!.reasons)")
    }
}
