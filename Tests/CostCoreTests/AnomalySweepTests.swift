@testable import CostCore
import Testing

@Suite("Anomaly sweep summary")
struct AnomalySweepTests {
    /// A report where every attack has `recall` of 100 counted events (loops: `loopRecall`),
    /// and `falsePositives` of 10,000 normal events were MEDIUM or above.
    static func report(recall: Int, loopRecall: Int, falsePositives: Int) -> AnomalyReport {
        var report = AnomalyReport(attacks: AnomalyLabel.attacks.map { AnomalyReport.AttackResult(label: $0) })
        for index in report.attacks.indices {
            let detected = report.attacks[index].label == .runawayLoop ? loopRecall : recall
            report.attacks[index].events = 100
            report.attacks[index].eventsDetected = detected
            report.attacks[index].episodes = 5
            report.attacks[index].episodesDetected = detected >= 50 ? 5 : 2
            report.attacks[index].attributedFrom = [report.attacks[index].label: detected / 2, .normal: 50 - detected / 2]
        }
        report.normalEvents = 10_000
        report.normalMediumOrAbove = falsePositives
        return report
    }

    @Test("mean and worst recall per attack with the run it came from, runs under 90 %, episodes, and the false-positive mean, worst and runs at or above 1 %")
    func summarises() {
        var sweep = AnomalySweep()
        let a = AnomalySweep.Run(seed: 1, agents: 50, days: 3)
        let b = AnomalySweep.Run(seed: 17, agents: 100, days: 5)
        sweep.add(a, Self.report(recall: 100, loopRecall: 95, falsePositives: 50))
        sweep.add(b, Self.report(recall: 92, loopRecall: 40, falsePositives: 113))

        let loop = sweep.attacks.first { $0.label == .runawayLoop }!
        #expect(abs(loop.meanRecall - 0.675) < 1e-9)
        #expect(loop.worstRecall == 0.4 && loop.worstRun == b)
        #expect(loop.runsBelowTarget == 1)
        #expect(loop.episodesDetected == 7 && loop.episodes == 10)
        let drip = sweep.attacks.first { $0.label == .slowDrip }!
        #expect(abs(drip.meanRecall - 0.96) < 1e-9 && drip.runsBelowTarget == 0)

        // Precision pooled over the runs: (47 + 20) of 100 attributed events.
        #expect(loop.attributed == 100 && loop.attributedCorrectly == 67 && loop.precision == 0.67)
        #expect(AnomalySweep().attacks.allSatisfy { $0.precision == nil })

        let fp = sweep.falsePositives
        #expect(abs(fp.mean - 0.00815) < 1e-9)
        #expect(fp.worst == 0.0113 && fp.worstRun == b && fp.runsAtOrAboveTarget == 1)

        let text = sweep.summary
        #expect(text.contains("over 2 runs"))
        #expect(text.contains("runaway_loop           67.5 %       40.0 % (d5 a100 s17)"), "\(text)")
        #expect(text.contains("7/10             67.0 %"), "\(text)")
        #expect(text.contains("normal events MEDIUM+: mean 0.82 %, worst 1.13 % (d5 a100 s17), runs ≥ 1 %: 1"), "\(text)")
        #expect(AnomalySweep.line(b, Self.report(recall: 92, loopRecall: 40, falsePositives: 113))
            .hasSuffix("normal MEDIUM+ 113 (1.13 %)"))
    }

    @Test("the held-out set is 55 distinct runs: 3/5/8 days at 50 agents, 3 days at 100, 5 days at 30, seeds 1–3 and 11–18")
    func heldOutSet() {
        let runs = AnomalySweep.heldOut
        #expect(runs.count == 55)
        #expect(Set(runs.map(\.description)).count == 55)
        #expect(Set(runs.map(\.seed)) == [1, 2, 3, 11, 12, 13, 14, 15, 16, 17, 18])
        #expect(runs.filter { $0.agents == 100 }.allSatisfy { $0.days == 3 })
        #expect(runs.filter { $0.agents == 30 }.allSatisfy { $0.days == 5 })
    }
}
