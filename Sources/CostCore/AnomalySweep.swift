/// Many scenario runs summed up: how the detector does across seeds, lengths and fleet sizes,
/// not just on the three seeds it is usually shown (`costctl bench anomaly --held-out`).
public struct AnomalySweep: Sendable {
    /// One scenario configuration of the sweep.
    public struct Run: Sendable, Equatable, CustomStringConvertible {
        public var seed: UInt64
        public var agents: Int
        public var days: Int
        public init(seed: UInt64, agents: Int, days: Int) {
            self.seed = seed
            self.agents = agents
            self.days = days
        }
        public var description: String { "d\(days) a\(agents) s\(seed)" }
    }

    /// Per attack type over all runs.
    public struct AttackSummary: Sendable, Equatable {
        public var label: AnomalyLabel
        /// Mean and lowest per-event recall over the runs, and the runs below 90 %.
        public var meanRecall: Double
        public var worstRecall: Double
        public var worstRun: Run?
        public var runsBelowTarget: Int
        public var episodesDetected: Int
        public var episodes: Int
        /// Over all runs: events HIGH or above attributed to this type, and those of this type.
        public var attributed = 0
        public var attributedCorrectly = 0
        /// Pooled precision (see `AnomalyReport`), nil when nothing was attributed to the type.
        public var precision: Double? { attributed == 0 ? nil : Double(attributedCorrectly) / Double(attributed) }
    }

    /// The held-out set: 3, 5 and 8 days at 50 agents, 3 days at 100 agents and 5 days at 30,
    /// each over seeds 1–3 and 11–18 (55 runs).
    public static let heldOut: [Run] = {
        let seeds: [UInt64] = [1, 2, 3, 11, 12, 13, 14, 15, 16, 17, 18]
        let shapes = [(50, 3), (50, 5), (50, 8), (100, 3), (30, 5)]
        return shapes.flatMap { shape in seeds.map { Run(seed: $0, agents: shape.0, days: shape.1) } }
    }()

    public static let recallTarget = 0.9
    public static let falsePositiveTarget = 0.01

    public private(set) var runs: [(run: Run, report: AnomalyReport)] = []

    public init() {}

    public mutating func add(_ run: Run, _ report: AnomalyReport) {
        runs.append((run, report))
    }

    /// One line per run: per attack its recall and episodes caught, then normal MEDIUM+.
    public static func line(_ run: Run, _ report: AnomalyReport) -> String {
        var text = run.description.padding(12)
        for result in report.attacks {
            text += " \(result.label.rawValue) \(RiskScorer.decimal(result.recall * 100))% \(result.episodesDetected)/\(result.episodes)"
        }
        return text + "  normal MEDIUM+ \(report.normalMediumOrAbove) (\(RiskScorer.decimal(report.falsePositiveRate * 100, places: 2)) %)"
    }

    public var attacks: [AttackSummary] {
        AnomalyLabel.attacks.map { label in
            var summary = AttackSummary(label: label, meanRecall: 0, worstRecall: 1, worstRun: nil, runsBelowTarget: 0,
                                        episodesDetected: 0, episodes: 0)
            var counted = 0
            for (run, report) in runs {
                guard let result = report.result(label) else { continue }
                counted += 1
                summary.meanRecall += result.recall
                if result.recall < summary.worstRecall || summary.worstRun == nil {
                    summary.worstRecall = result.recall
                    summary.worstRun = run
                }
                if result.recall < Self.recallTarget { summary.runsBelowTarget += 1 }
                summary.episodesDetected += result.episodesDetected
                summary.episodes += result.episodes
                summary.attributed += result.attributed
                summary.attributedCorrectly += result.attributedCorrectly
            }
            summary.meanRecall = counted == 0 ? 0 : summary.meanRecall / Double(counted)
            return summary
        }
    }

    /// Mean and highest share of normal events MEDIUM or above, and the runs at or above 1 %.
    public var falsePositives: (mean: Double, worst: Double, worstRun: Run?, runsAtOrAboveTarget: Int) {
        guard !runs.isEmpty else { return (0, 0, nil, 0) }
        var worst = runs[0]
        var total = 0.0
        var above = 0
        for entry in runs {
            total += entry.report.falsePositiveRate
            if entry.report.falsePositiveRate > worst.report.falsePositiveRate { worst = entry }
            if entry.report.falsePositiveRate >= Self.falsePositiveTarget { above += 1 }
        }
        return (total / Double(runs.count), worst.report.falsePositiveRate, worst.run, above)
    }

    /// The summary table (false-positive rates with two decimals: they sit close to the 1 % target).
    public var summary: String {
        func percent(_ value: Double) -> String { RiskScorer.decimal(value * 100) + " %" }
        var lines = ["over \(runs.count) runs:",
                     "attack                 mean recall  worst (run)                 runs < 90 %  episodes caught  precision (pooled)"]
        for attack in attacks {
            let worst = percent(attack.worstRecall) + (attack.worstRun.map { " (\($0))" } ?? "")
            lines.append(attack.label.rawValue.padding(22) + " " + percent(attack.meanRecall).padding(12) + " "
                + worst.padding(27) + " " + "\(attack.runsBelowTarget)".padding(12) + " "
                + "\(attack.episodesDetected)/\(attack.episodes)".padding(16) + " " + (attack.precision.map { percent($0) } ?? "-"))
        }
        let fp = falsePositives
        lines.append("normal events MEDIUM+: mean \(RiskScorer.decimal(fp.mean * 100, places: 2)) %, worst \(RiskScorer.decimal(fp.worst * 100, places: 2)) %"
            + (fp.worstRun.map { " (\($0))" } ?? "") + ", runs ≥ 1 %: \(fp.runsAtOrAboveTarget)")
        return lines.joined(separator: "\n")
    }
}
