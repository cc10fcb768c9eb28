import CostCore
import Testing

@Suite("Risk determinism")
struct RiskDeterminismTests {
    static func assessments(_ events: [UsageEvent]) -> [String: RiskAssessment] {
        var replay = RiskReplay()
        var result: [String: RiskAssessment] = [:]
        for event in events { result[event.eventID] = replay.score(event) }
        return result
    }

    static let scenario = AnomalyScenario.generate(.init(seed: 5, agents: 12, days: 2, episodesPerAttack: 1))

    @Test("the same seed generates the same scenario; another seed a different one")
    func scenarioIsSeeded() {
        let again = AnomalyScenario.generate(.init(seed: 5, agents: 12, days: 2, episodesPerAttack: 1))
        #expect(again.events == Self.scenario.events)
        #expect(again.episodes == Self.scenario.episodes)
        let other = AnomalyScenario.generate(.init(seed: 6, agents: 12, days: 2, episodesPerAttack: 1))
        #expect(other.events != Self.scenario.events)
    }

    @Test("replaying the same events gives the same scores")
    func replayIsDeterministic() {
        let events = Self.scenario.events.map(\.event)
        let first = Self.assessments(events)
        let second = Self.assessments(events)
        #expect(first == second)
    }

    @Test("events a few seconds out of order score almost the same")
    func slightReordering() {
        let events = Self.scenario.events.map(\.event)
        var shuffled = events
        var random = AnomalyRandom(seed: 9)
        var index = 0
        var swaps = 0
        while index + 1 < shuffled.count {  // swap about a third of neighbours less than 30 s apart
            let gap = shuffled[index + 1].occurredAt.secondsSinceEpoch - shuffled[index].occurredAt.secondsSinceEpoch
            if gap < 30, random.chance(0.33) {
                shuffled.swapAt(index, index + 1)
                swaps += 1
                index += 2
            } else {
                index += 1
            }
        }
        #expect(swaps > 1000)
        let ordered = Self.assessments(events)
        let reordered = Self.assessments(shuffled)
        var sameLevel = 0
        var totalDifference = 0
        for event in events {
            let a = ordered[event.eventID]!
            let b = reordered[event.eventID]!
            if a.level == b.level { sameLevel += 1 }
            totalDifference += abs(a.score - b.score)
        }
        #expect(Double(sameLevel) / Double(events.count) > 0.99)
        #expect(Double(totalDifference) / Double(events.count) < 1)
    }
}
