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
            (["--rounds", "0"], "--rounds must be at least 1 (got 0)"),
            (["--write-parts", "0"], "--write-parts must be between 1 and 64 (got 0)"),
            (["--loops", "0"], "--loops must be 1–64 and --batch-size at least 1 (got 0 and 500)"),
            (["--worker-events", "3000", "--rounds", "3"],
             "--worker-events (3000) must give each of the 3 rounds more than --loops × --batch-size (1000) events"),
            (["--drip-peak", "8-3"], "--drip-peak: 8-3 must satisfy 1 < LOW ≤ HIGH ≤ 1000"),
            (["--drip-peak", "ten"], "--drip-peak: 'ten' is not a range; give LOW-HIGH"),
            (["--held-out", "--drip-bound"], "--drip-bound measures the --seeds scenarios; leave out --held-out to use it"),
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
        #expect(output.standardOutput.contains("events recall  precision  episodes"), "\(output.standardOutput)")
    }

    @Test("costctl bench anomaly's worker part runs paired rounds on the real servers: each round's worker and raw rates over the same timed events, then the medians")
    func workerRounds() throws {
        let costctl = try IntegrationEnvironment.executable("costctl")
        let output = try CommandRunner.run(costctl, ["bench", "anomaly", "--seeds", "5", "--agents", "5", "--days", "2",
                                                     "--worker-events", "3000", "--warmup-events", "600", "--rounds", "2"])
        #expect(output.status == 0, "\(output.combined)")
        let rounds = output.standardOutput.split(separator: "\n").filter { $0.hasPrefix("round ") }
        #expect(rounds.count == 2, "two round lines\n\(output.standardOutput)")
        for (index, line) in rounds.enumerated() {
            // "round 1/2: worker N events/s, raw M events/s, ratio R (K timed events; worker CPU C µs per event)"
            let numbers = line.split(whereSeparator: { !"0123456789.".contains($0) }).compactMap { Double($0) }
            #expect(numbers.count == 7, "\(line)")
            guard numbers.count == 7 else { continue }
            #expect(numbers[0] == Double(index + 1) && numbers[1] == 2, "\(line)")
            #expect(numbers[2] > 0 && numbers[3] > 0, "both rates measured: \(line)")
            #expect(abs(numbers[4] - numbers[2] / numbers[3]) < 0.02, "the ratio is worker ÷ raw: \(line)")
            // 1,500 events a round; the loops' first batches (up to 2 × 500 events) are untimed.
            #expect(numbers[5] >= 500 && numbers[5] < 1500, "\(line)")
            // CPU per event: positive, and below what the measured rate allows for two loops.
            #expect(numbers[6] > 0 && numbers[6] <= 2 * 1_000_000 / numbers[2] * 1.5, "\(line)")
        }
        #expect(output.standardOutput.contains("µs per event"), "\(output.standardOutput)")
        #expect(output.standardOutput.contains("median of 2 rounds"), "\(output.standardOutput)")
        #expect(output.standardOutput.contains("target ≥ 0.60"), "\(output.standardOutput)")
        // The worker reads back the states it wrote itself: most are taken from its cache.
        let share = output.standardOutput.components(separatedBy: "instead of decoded: ").last
            .flatMap { Double($0.prefix { "0123456789.".contains($0) }) }
        #expect((share ?? 0) > 50, "\(output.standardOutput)")
        // The two loops take turns at an agent, so neither loses a compare-and-set to the other.
        #expect(output.standardOutput.contains("compare-and-sets lost to another loop and redone: 0 (0.0 per 1000 events)"),
                "\(output.standardOutput)")
        #expect(output.standardOutput.contains("allocator jemalloc 5."), "\(output.standardOutput)")
    }

    @Test("costctl bench anomaly --drip-bound prints the oracle's slow-drip recall per window beside the scorer's")
    func dripBound() throws {
        let costctl = try IntegrationEnvironment.executable("costctl")
        let output = try CommandRunner.run(costctl, ["bench", "anomaly", "--seeds", "4", "--agents", "12", "--days", "2",
                                                     "--worker-events", "0", "--drip-bound"])
        #expect(output.status == 0, "\(output.combined)")
        let text = output.standardOutput
        #expect(text.contains("slow-drip bound (a volume detector knowing each agent's normal traffic from 84 other days"), "\(text)")
        #expect(text.contains("with only the scenario's warm-up as its history"), "\(text)")
        for line in ["  calls:  1 h ", "  spend:  1 h ", "  this scorer: "] {
            #expect(text.contains(line), "\(line)\n\(text)")
        }
        #expect(output.standardError.contains("measuring the slow-drip bound for seed 4"), "progress on stderr\n\(output.standardError)")
    }
}
