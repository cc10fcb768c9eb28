import ArgumentParser
import CostCore
import Foundation

struct AnomalyBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "anomaly",
        abstract: "Precision and recall of the risk scorer per attack type on generated scenarios, and its speed.",
        discussion: """
            Generates normal diurnal traffic for --agents agents over --days simulated days (the first is warm-up) with \
            labelled attacks injected (runaway loop, token stuffing, provider hopping, slow-drip spend, a switch to an \
            expensive model, cost under-reporting), scores every event in occurred_at order, and prints recall at HIGH \
            or above per attack type and the share of normal events scored MEDIUM or above. Targets: recall ≥ 0.90 \
            for every attack type, < 1 % of normal events MEDIUM or above.
            """)

    @Option(help: "Scenario seeds, comma-separated.") var seeds: String = "1,2,3"
    @Option var agents: Int = 50
    @Option var days: Int = 3

    func run() throws {
        for seed in seeds.split(separator: ",").compactMap({ UInt64($0) }) {
            let scenario = AnomalyScenario.generate(AnomalyScenario.Config(seed: seed, agents: agents, days: days))
            let start = Date()
            let report = AnomalyEvaluation.run(scenario: scenario)
            let seconds = Date().timeIntervalSince(start)
            print("seed \(seed): \(scenario.events.count) events scored in \(String(format: "%.2f", seconds)) s "
                  + "(\(Int(Double(scenario.events.count) / max(seconds, 1e-9))) events/s, state kept in memory)")
            print(report.summary)
        }
    }
}
