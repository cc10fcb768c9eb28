import AgentSDK
import CostCore
import Foundation

/// Valid events from the simulated fleet, with what they must cost.
enum TestEvents {
    /// `count` events of a fresh fleet (its own run id), 100 ms apart, the last one two
    /// minutes ago (never in the future, which the contract rejects beyond 5 minutes).
    static func fleet(count: Int, runID: String = "it-\(IntegrationEnvironment.uniqueSuffix())",
                      seed: UInt64 = 42) -> [UsageEvent] {
        var fleet = SimulatedFleet(agents: 40, seed: seed, runID: runID)
        let spacing: Int64 = 100_000
        let start = now().adding(seconds: -120).adding(microseconds: -Int64(count) * spacing)
        return (0..<count).map { fleet.next(at: start.adding(microseconds: Int64($0) * spacing)) }
    }

    static func now() -> Timestamp {
        Timestamp(microsecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1_000_000))
    }

    /// Messages keyed by event_id.
    static func messages(_ events: [UsageEvent]) -> [(key: String, body: [UInt8])] {
        events.map { ($0.eventID, $0.jsonBytes()) }
    }

    /// What the events cost together, priced as the contract says with `catalog`.
    static func expectedTotal(_ events: [UsageEvent], catalog: PricingCatalog) -> Nanodollars {
        events.reduce(Nanodollars.zero) { $0 + CostCalculator.price($1, catalog: catalog).cost }
    }

    /// Re-deliveries of `fraction` of the events: half byte for byte, half with the same
    /// event_id but another request_id and latency (fields that do not change the cost).
    static func duplicates(of events: [UsageEvent], count: Int) -> [(key: String, body: [UInt8])] {
        var rng = SystemRandomNumberGenerator()
        return (0..<count).map { i in
            var event = events[Int.random(in: 0..<events.count, using: &rng)]
            if i % 2 == 1 {
                event.requestID = "retry-\(i)"
                event.latencyMs = Int64(i)
            }
            return (event.eventID, event.jsonBytes())
        }
    }
}
