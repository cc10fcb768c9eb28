import CostCore
import PostgresClient

/// One scored event as `security_events` keeps it (migration 4).
public struct SecurityEventRecord: Sendable, Equatable {
    public var eventID: String
    public var occurredAt: Timestamp
    public var agentID: String
    public var sessionID: String
    public var provider: String
    public var model: String
    public var cost: Nanodollars
    public var assessment: RiskAssessment

    public init(event: UsageEvent, cost: Nanodollars, assessment: RiskAssessment) {
        eventID = event.eventID
        occurredAt = event.occurredAt
        agentID = event.agentID
        sessionID = event.sessionID
        provider = event.provider
        model = event.model
        self.cost = cost
        self.assessment = assessment
    }
}

/// Writes and reads `security_events`: the events the anomaly worker scored MEDIUM or above.
public struct SecurityStore {
    private let db: PGConnection

    public init(db: PGConnection) {
        self.db = db
    }

    /// Inserts the records whose event_id is not stored yet (a redelivered event is stored
    /// once); returns how many were new.
    @discardableResult
    public func insert(_ records: [SecurityEventRecord]) throws(StoreError) -> Int {
        var inserted = 0
        var start = 0
        while start < records.count {
            let chunk = records[start..<min(start + 500, records.count)]
            start += chunk.count
            var values: [String] = []
            var params: [String?] = []
            for r in chunk {
                let a = r.assessment
                let base = params.count
                params += [
                    r.eventID, r.occurredAt.rfc3339, r.agentID, r.sessionID, r.provider, r.model, r.cost.decimalString,
                    String(a.score), a.level.rawValue, Self.milliText(a.confidence),
                    Self.milliText(a.factors.rate), Self.milliText(a.factors.spike), Self.milliText(a.factors.efficiency),
                    Self.milliText(a.factors.switching), Self.milliText(a.factors.history), a.costMismatch ? "true" : "false",
                    Self.textArray(a.reasons), a.breakerSignal,
                ]
                values.append("(" + (base + 1...params.count).map { "$\($0)" }.joined(separator: ", ") + ")")
            }
            let sql = """
                INSERT INTO security_events (event_id, occurred_at, agent_id, session_id, provider, model, cost_usd, score,
                    level, confidence, rate_factor, spike_factor, efficiency_factor, switching_factor, history_factor,
                    cost_mismatch, reasons, breaker_signal)
                VALUES \(values.joined(separator: ", "))
                ON CONFLICT (event_id) DO NOTHING
                """
            inserted += try store { try db.query(sql, params).affectedRows }
        }
        return inserted
    }

    /// A statistic in 0…1 as text with three decimals (exact for the numeric(4,3) columns).
    public static func milliText(_ value: Double) -> String {
        let clamped = value.isFinite ? min(1, max(0, value)) : 0
        let thousandths = Int((clamped * 1000).rounded())
        if thousandths == 1000 { return "1.000" }
        let digits = String(thousandths)
        return "0." + String(repeating: "0", count: 3 - digits.count) + digits
    }

    /// A PostgreSQL text[] literal: every element quoted, `"` and `\` escaped.
    static func textArray(_ items: [String]) -> String {
        "{" + items.map { item in
            var escaped = ""
            for ch in item {
                if ch == "\"" || ch == "\\" { escaped.append("\\") }
                escaped.append(ch)
            }
            return "\"" + escaped + "\""
        }.joined(separator: ",") + "}"
    }
}
