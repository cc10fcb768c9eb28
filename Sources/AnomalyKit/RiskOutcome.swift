import CostCore

/// What an event's seen marker stores: its assessment, so a redelivered event (its first
/// worker died after the state was written but before the outputs were) gets the same
/// outputs again without being scored twice. JSON; statistics in thousandths.
public enum RiskOutcome {
    public static func encode(_ a: RiskAssessment) -> [UInt8] {
        guard a.level >= .medium || a.costMismatch || a.breakerSignal != nil else {
            // Only the score, written directly (the bytes JSON would give: {"score":N}).
            var bytes: [UInt8] = []
            bytes.reserveCapacity(16)
            bytes.append(contentsOf: scorePrefix)
            bytes.append(contentsOf: String(a.score).utf8)
            bytes.append(UInt8(ascii: "}"))
            return bytes
        }
        let f = a.factors
        let members: [(String, JSONValue)] = [
            ("score", .number(String(a.score))),
            ("confidence", .number(String(milli(a.confidence)))),
            ("factors", .array([f.rate, f.spike, f.efficiency, f.switching, f.history].map { .number(String(milli($0))) })),
            ("mismatch", .bool(a.costMismatch)),
            ("signal", a.breakerSignal.map { .string($0) } ?? .null),
            ("reasons", .array(a.reasons.map { .string($0) })),
        ]
        return Array(JSONValue.object(members).serialized().utf8)
    }

    private static let scorePrefix: [UInt8] = Array(#"{"score":"#.utf8)

    /// Nil when the bytes are not an outcome this build wrote (the event is then scored again).
    public static func decode(_ bytes: [UInt8]) -> RiskAssessment? {
        guard let json = try? JSONParser.parse(bytes), let score = json["score"]?.integerValue,
              (0...100).contains(score) else { return nil }
        var factors = RiskFactors()
        if case .array(let values)? = json["factors"], values.count == 5 {
            let v = values.map { Double($0.integerValue ?? 0) / 1000 }
            factors = RiskFactors(rate: v[0], spike: v[1], efficiency: v[2], switching: v[3], history: v[4])
        }
        var reasons: [String] = []
        if case .array(let values)? = json["reasons"] { reasons = values.compactMap(\.stringValue) }
        var mismatch = false
        if case .bool(let flag)? = json["mismatch"] { mismatch = flag }
        return RiskAssessment(
            score: Int(score), level: RiskLevel(score: Int(score)),
            confidence: Double(json["confidence"]?.integerValue ?? 0) / 1000, factors: factors,
            costMismatch: mismatch, reasons: reasons, breakerSignal: json["signal"]?.stringValue)
    }

    static func milli(_ value: Double) -> Int {
        value.isFinite ? Int((min(1, max(0, value)) * 1000).rounded()) : 0
    }
}
