/// What `AnomalyEvaluation.run` measured.
///
/// - Per attack type: per-event recall = share of the attack's events from `detectableFrom`
///   on that scored HIGH or above (for the attacks that show only in tokens or cost — stuffing,
///   expensive model, under-reporting — leaving out calls that cost nothing, i.e. rate-limited
///   calls without tokens, which carry no trace of them); per-episode recall = share of episodes with at least one
///   event HIGH or above (and the median minutes from the start to the first such event).
/// - False positives: normal events scored MEDIUM or above, out of the normal events after the
///   warm-up days, leaving out the attacked agent's own normal events during an attack and
///   for 15 minutes after it (`contaminatedEvents`: its agent-level state is legitimately
///   raised then; reported separately).
/// - Precision: attack events HIGH or above / all counted events HIGH or above. Per attack type,
///   as in a classifier: the scorer names no attack, so each event HIGH or above is attributed
///   to the attack its strongest factor stands for (`AnomalyEvaluation.attributedAttack`: rate →
///   runaway loop, spike → expensive model, efficiency → cost under-reporting when the reported
///   cost is flagged as mismatched, else token stuffing, switching → provider hopping, history →
///   slow drip); the type's precision is the share of the events attributed to it that belong to
///   an attack of that type (counted: every attack event and the normal events that count as
///   false positives). An attack caught through another factor (a loop's cost spike) lowers the
///   precision of the type it was attributed to, as a misclassification does.
public struct AnomalyReport: Sendable {
    public struct AttackResult: Sendable {
        public var label: AnomalyLabel
        public var episodes = 0
        public var episodesDetected = 0
        /// Attack events from `detectableFrom` on, and those scored HIGH or above.
        public var events = 0
        public var eventsDetected = 0
        /// All attack events, and those flagged `costMismatch`.
        public var allEvents = 0
        public var mismatchFlagged = 0
        public var minutesToDetect: [Double] = []
        /// Events HIGH or above attributed to this attack type, by what they were (`normal` for
        /// false positives).
        public var attributedFrom: [AnomalyLabel: Int] = [:]
        /// Events attributed to this type, and those of them that belong to it.
        public var attributed: Int { attributedFrom.values.reduce(0, +) }
        public var attributedCorrectly: Int { attributedFrom[label, default: 0] }
        /// Mean factors of the missed (countable) events, for tuning.
        public var missedFactors = RiskFactors()
        public var missed = 0

        public var recall: Double { events == 0 ? 1 : Double(eventsDetected) / Double(events) }
        /// nil when no event was attributed to this type.
        public var precision: Double? { attributed == 0 ? nil : Double(attributedCorrectly) / Double(attributed) }
        public var episodeRecall: Double { episodes == 0 ? 1 : Double(episodesDetected) / Double(episodes) }
        public var medianMinutesToDetect: Double? {
            guard !minutesToDetect.isEmpty else { return nil }
            return minutesToDetect.sorted()[minutesToDetect.count / 2]
        }
    }

    public var attacks: [AttackResult]
    public var normalEvents = 0
    public var normalMediumOrAbove = 0
    public var normalHighOrAbove = 0
    public var contaminatedEvents = 0
    public var contaminatedHighOrAbove = 0
    public var attackHighOrAbove = 0
    /// Normal events MEDIUM or above by their strongest factor.
    public var falsePositivesByFactor: [String: Int] = [:]
    public var breakerSignals: [String: Int] = [:]
    public var scoredEvents = 0

    public var falsePositiveRate: Double { normalEvents == 0 ? 0 : Double(normalMediumOrAbove) / Double(normalEvents) }
    public var falsePositiveRateHigh: Double { normalEvents == 0 ? 0 : Double(normalHighOrAbove) / Double(normalEvents) }
    public var precision: Double {
        let flagged = attackHighOrAbove + normalHighOrAbove
        return flagged == 0 ? 1 : Double(attackHighOrAbove) / Double(flagged)
    }

    public func result(_ label: AnomalyLabel) -> AttackResult? { attacks.first { $0.label == label } }

    /// A plain-text table.
    public var summary: String {
        func percent(_ value: Double) -> String { RiskScorer.decimal(value * 100) + " %" }
        var lines = ["attack                 events recall  precision  episodes  first HIGH (median min)  mismatch flag"]
        for result in attacks {
            let name = result.label.rawValue.padding(22)
            let minutes = result.medianMinutesToDetect.map { RiskScorer.decimal($0) } ?? "-"
            let precision = result.precision.map { percent($0) } ?? "-"
            lines.append("\(name) \(String(result.events).padding(6)) \(percent(result.recall).padding(7)) "
                + "\(precision.padding(10)) "
                + "\(result.episodesDetected)/\(result.episodes)".padding(9) + " \(minutes.padding(24)) "
                + percent(result.allEvents == 0 ? 0 : Double(result.mismatchFlagged) / Double(result.allEvents)))
        }
        let confused = attacks.filter { $0.attributed > $0.attributedCorrectly }.map { result in
            "\(result.label.rawValue) ← " + result.attributedFrom.filter { $0.key != result.label }
                .sorted { ($1.value, $0.key.rawValue) < ($0.value, $1.key.rawValue) }
                .map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", ")
        }
        if !confused.isEmpty { lines.append("attributed to another type (HIGH+): " + confused.joined(separator: "; ")) }
        lines.append("normal events \(normalEvents): MEDIUM+ \(normalMediumOrAbove) (\(percent(falsePositiveRate))), "
            + "HIGH+ \(normalHighOrAbove) (\(percent(falsePositiveRateHigh))); precision at HIGH \(percent(precision))")
        lines.append("false positives by strongest factor: "
            + falsePositivesByFactor.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        lines.append("attacked agents' own events during attacks: \(contaminatedEvents), HIGH+ \(contaminatedHighOrAbove); "
            + "breaker signals: " + breakerSignals.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        return lines.joined(separator: "\n")
    }
}

extension String {
    /// Left-aligned in `width` columns (the report tables; no Foundation).
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
