/// Replays a scenario through `RiskScorer` and measures recall and false positives
/// (definitions in `AnomalyReport`).
public enum AnomalyEvaluation {
    /// Streams the events in `occurred_at` order, keeping agent and session states in
    /// dictionaries as the worker keeps them in Redis. Cost is the catalog's (`CostCalculator`).
    public static func run(scenario: AnomalyScenario, config: RiskConfig = RiskConfig()) -> AnomalyReport {
        var agents: [String: AgentRiskState] = [:]
        var sessions: [String: SessionRiskState] = [:]
        var report = AnomalyReport(attacks: AnomalyLabel.attacks.map { AnomalyReport.AttackResult(label: $0) })
        let episodes = Dictionary(uniqueKeysWithValues: scenario.episodes.map { ($0.id, $0) })
        var firstDetection: [Int: Timestamp] = [:]
        let warmupEnd = scenario.warmupEnd
        let byAgent = Dictionary(grouping: scenario.episodes, by: \.agentID)

        for item in scenario.events {
            let event = item.event
            let cost = CostCalculator.price(event, catalog: scenario.catalog)
            let assessment = RiskScorer.score(
                event, cost: cost, agent: &agents[event.agentID, default: AgentRiskState()],
                session: &sessions[event.sessionID, default: SessionRiskState()], config: config)
            report.scoredEvents += 1
            if let signal = assessment.breakerSignal { report.breakerSignals[signal, default: 0] += 1 }
            let high = assessment.level >= .high
            if high, item.episode != nil {
                attribute(assessment, actual: item.label, in: &report)
            }
            if let id = item.episode, let episode = episodes[id] {
                let index = report.attacks.firstIndex { $0.label == item.label }!
                report.attacks[index].allEvents += 1
                if assessment.costMismatch { report.attacks[index].mismatchFlagged += 1 }
                if high {
                    report.attackHighOrAbove += 1
                    if firstDetection[id] == nil { firstDetection[id] = event.occurredAt }
                }
                // A call that cost nothing (rate-limited: no tokens) carries no trace of an attack
                // on tokens or cost, so it is not counted toward those attacks' recall.
                let traceless = cost.cost.value == 0 && Self.contentAttacks.contains(item.label)
                if event.occurredAt >= episode.detectableFrom, !traceless {
                    report.attacks[index].events += 1
                    if high {
                        report.attacks[index].eventsDetected += 1
                    } else {
                        report.attacks[index].missed += 1
                        add(assessment.factors, to: &report.attacks[index].missedFactors)
                    }
                }
                continue
            }
            guard event.occurredAt >= warmupEnd else { continue }
            let contaminated = byAgent[event.agentID]?.contains {
                event.occurredAt >= $0.start && event.occurredAt < $0.end.adding(seconds: 900)
            } ?? false
            if contaminated {
                report.contaminatedEvents += 1
                if high { report.contaminatedHighOrAbove += 1 }
                continue
            }
            report.normalEvents += 1
            if assessment.level >= .medium {
                report.normalMediumOrAbove += 1
                report.falsePositivesByFactor[strongestName(assessment.factors), default: 0] += 1
            }
            if high {
                report.normalHighOrAbove += 1
                attribute(assessment, actual: .normal, in: &report)
            }
        }
        for episode in scenario.episodes {
            let index = report.attacks.firstIndex { $0.label == episode.label }!
            report.attacks[index].episodes += 1
            if let detected = firstDetection[episode.id] {
                report.attacks[index].episodesDetected += 1
                let seconds = detected.secondsSinceEpoch - episode.start.secondsSinceEpoch
                report.attacks[index].minutesToDetect.append(Double(max(seconds, 0)) / 60)
            }
        }
        for index in report.attacks.indices where report.attacks[index].missed > 0 {
            let count = Double(report.attacks[index].missed)
            var factors = report.attacks[index].missedFactors
            factors.rate /= count
            factors.spike /= count
            factors.efficiency /= count
            factors.switching /= count
            factors.history /= count
            report.attacks[index].missedFactors = factors
        }
        return report
    }

    /// The attack type an event's strongest factor stands for (see `AnomalyReport`).
    public static func attributedAttack(_ assessment: RiskAssessment) -> AnomalyLabel {
        switch strongestName(assessment.factors) {
        case "rate": .runawayLoop
        case "spike": .expensiveModel
        case "efficiency": assessment.costMismatch ? .costUnderReporting : .tokenStuffing
        case "switching": .providerHopping
        default: .slowDrip
        }
    }

    private static func attribute(_ assessment: RiskAssessment, actual: AnomalyLabel, in report: inout AnomalyReport) {
        let label = attributedAttack(assessment)
        guard let index = report.attacks.firstIndex(where: { $0.label == label }) else { return }
        report.attacks[index].attributedFrom[actual, default: 0] += 1
    }

    /// Attacks that show only in a call's tokens or cost.
    static let contentAttacks: Set<AnomalyLabel> = [.tokenStuffing, .expensiveModel, .costUnderReporting]

    private static func add(_ factors: RiskFactors, to total: inout RiskFactors) {
        total.rate += factors.rate
        total.spike += factors.spike
        total.efficiency += factors.efficiency
        total.switching += factors.switching
        total.history += factors.history
    }

    static func strongestName(_ factors: RiskFactors) -> String {
        let named = [("rate", factors.rate), ("spike", factors.spike), ("efficiency", factors.efficiency),
                     ("switching", factors.switching), ("history", factors.history)]
        return named.max { $0.1 < $1.1 }!.0
    }
}
