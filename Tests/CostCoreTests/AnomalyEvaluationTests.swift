@testable import CostCore
import Testing

/// 50 agents × 3 days, 2 seeds (≈ 180k events; a few seconds in a debug build). The same
/// detector is measured on other seeds, sizes and lengths outside the tests (see the report
/// in the commit): nothing here is tuned to these two seeds.
@Suite("Anomaly evaluation")
struct AnomalyEvaluationTests {
    @Test("false positives stay low and every attack type is caught", arguments: [UInt64(1), 2])
    func evaluation(seed: UInt64) {
        let scenario = AnomalyScenario.generate(.init(seed: seed, agents: 50, days: 3))
        #expect(scenario.episodes.count == 30)
        let report = AnomalyEvaluation.run(scenario: scenario)
        print("seed \(seed)\n\(report.summary)")
        #expect(report.normalEvents > 30_000)
        // The issue's target, met: under 1 % of normal events MEDIUM or above.
        #expect(report.falsePositiveRate < 0.01)
        #expect(report.falsePositiveRateHigh < 0.0075)
        // The issue's target, met: recall ≥ 0.9 at HIGH or above.
        for label in [AnomalyLabel.tokenStuffing, .providerHopping, .expensiveModel, .costUnderReporting] {
            #expect(report.result(label)!.recall >= 0.9, "\(label.rawValue)")
        }
        #expect(report.result(.runawayLoop)!.recall >= 0.9)
        for label in [AnomalyLabel.runawayLoop, .providerHopping, .tokenStuffing, .expensiveModel, .costUnderReporting] {
            #expect(report.result(label)!.episodeRecall >= 0.8, "\(label.rawValue)")
        }
        // Precision per attack type: every HIGH+ event counted is attributed to exactly one type.
        #expect(report.attacks.map(\.attributed).reduce(0, +) == report.attackHighOrAbove + report.normalHighOrAbove)
        #expect(report.attacks.map(\.attributedCorrectly).reduce(0, +) <= report.attackHighOrAbove)
        #expect(report.attacks.map { $0.attributedFrom[.normal, default: 0] }.reduce(0, +) == report.normalHighOrAbove)
        #expect(report.summary.contains("precision"))
        let underReporting = report.result(.costUnderReporting)!  // all but the calls that cost 0 (rate-limited)
        #expect(Double(underReporting.mismatchFlagged) >= 0.95 * Double(underReporting.allEvents))
        // Not met: per-event recall of slow drip. With one or two days of hourly history, a
        // drip at 2.5–8× is within the normal hour-to-hour spread for most agents; even an
        // oracle knowing 84 days of each agent reaches 39–66 % (`bench anomaly --drip-bound`).
        withKnownIssue {
            #expect(report.result(.slowDrip)!.recall >= 0.9)
        }
    }

    @Test("a HIGH event is attributed to the attack its strongest factor stands for")
    func attribution() {
        func attributed(_ factors: RiskFactors, mismatch: Bool = false) -> AnomalyLabel {
            AnomalyEvaluation.attributedAttack(RiskAssessment(
                score: 60, level: .high, confidence: 1, factors: factors, costMismatch: mismatch, reasons: [], breakerSignal: nil))
        }
        #expect(attributed(RiskFactors(rate: 1, spike: 0.5)) == .runawayLoop)
        #expect(attributed(RiskFactors(rate: 0.4, spike: 0.9)) == .expensiveModel)
        #expect(attributed(RiskFactors(efficiency: 1)) == .tokenStuffing)
        #expect(attributed(RiskFactors(efficiency: 1), mismatch: true) == .costUnderReporting)
        #expect(attributed(RiskFactors(switching: 1, history: 0.2)) == .providerHopping)
        #expect(attributed(RiskFactors(history: 1)) == .slowDrip)

        var report = AnomalyReport(attacks: AnomalyLabel.attacks.map { AnomalyReport.AttackResult(label: $0) })
        report.attacks[0].attributedFrom = [report.attacks[0].label: 3, AnomalyLabel.normal: 1]
        #expect(report.attacks[0].attributed == 4 && report.attacks[0].attributedCorrectly == 3)
        #expect(report.attacks[0].precision == 0.75 && report.attacks[1].precision == nil)
        let confusion = report.attacks[0].label.rawValue + " ← normal 1"
        let summary = report.summary
        #expect(summary.contains(confusion), "\(summary)")
    }
}
