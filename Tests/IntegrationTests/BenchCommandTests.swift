import Foundation
import Testing

/// `costctl bench anomaly` as a user runs it: the detector table, and refusals that say what
/// to type instead.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct BenchCommandTests {
    @Test("costctl bench anomaly refuses a seed that is not a number, one simulated day, and a negative event count, with the option's name")
    func refusesBadOptions() throws {
        let costctl = try IntegrationEnvironment.executable("costctl")
        for (arguments, message) in [
            (["--seeds", "1,x"], "--seeds: 'x' is not a seed; give whole numbers separated by commas"),
            (["--days", "1"], "--days must be between 2 and 60 (got 1): the first day is warm-up"),
            (["--agents", "0"], "--agents must be between 1 and 2000 (got 0)"),
            (["--worker-events=-5"], "--worker-events must be 0 (skip) or more (got -5)"),
        ] {
            let output = try CommandRunner.run(costctl, ["bench", "anomaly"] + arguments)
            #expect(output.status != 0, "\(arguments) should be refused\n\(output.combined)")
            #expect(output.standardError.contains(message), "\(arguments): the refusal should say \"\(message)\"\n\(output.combined)")
        }
    }

    @Test("costctl bench anomaly on a small scenario prints recall for every attack type and the normal events' MEDIUM+ share, without touching the servers")
    func smallScenario() throws {
        let costctl = try IntegrationEnvironment.executable("costctl")
        let output = try CommandRunner.run(costctl, ["bench", "anomaly", "--seeds", "5", "--agents", "12", "--days", "2", "--worker-events", "0"])
        #expect(output.status == 0, "\(output.combined)")
        #expect(output.standardOutput.contains("seed 5: "), "\(output.standardOutput)")
        for attack in ["runaway_loop", "token_stuffing", "provider_hopping", "slow_drip", "expensive_model", "cost_under_reporting"] {
            #expect(output.standardOutput.split(separator: "\n").contains { $0.hasPrefix(attack) }, "a line for \(attack)\n\(output.standardOutput)")
        }
        #expect(output.standardOutput.contains("normal events "), "\(output.standardOutput)")
    }
}
