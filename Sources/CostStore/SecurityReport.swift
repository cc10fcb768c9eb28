import CostCore
import PostgresClient

/// What `costctl security report` shows: the events the anomaly worker flagged (MEDIUM or
/// above, table `security_events`) whose `occurred_at` falls in `since ..< until`.
public struct SecurityReportData: Sendable, Equatable {
    public struct Tally: Sendable, Equatable {
        public var name: String
        public var count: Int
    }

    /// One agent's flagged events in the window.
    public struct AgentRisk: Sendable, Equatable {
        public var agentID: String
        public var maxScore: Int
        /// Mean score, rounded to 0.1.
        public var meanScore: Double
        public var events: Int
        public var medium: Int
        public var high: Int
        public var critical: Int
        public var lastSeen: Timestamp
        /// The factor that was most often the event's strongest (ties: rate, spike, efficiency,
        /// switching, history); nil when every factor of every event was 0.
        public var topFactor: String?
        /// Total cost of the agent's flagged events, exact.
        public var cost: Nanodollars
    }

    /// One factor over the window's events (each value 0…1, kept to 0.001).
    public struct FactorStats: Sendable, Equatable {
        public var name: String
        /// Rounded to 0.001.
        public var mean: Double
        /// Nearest rank: the smallest value at or above 95 % of the events' values.
        public var p95: Double
        public var max: Double
        /// Events for which this factor was the strongest (ties as in `AgentRisk.topFactor`).
        public var strongestIn: Int
    }

    public struct Event: Sendable, Equatable {
        public var eventID: String
        public var occurredAt: Timestamp
        public var agentID: String
        public var sessionID: String
        public var provider: String
        public var model: String
        public var score: Int
        public var level: RiskLevel
        public var confidence: Double
        /// At most the first three (strongest first).
        public var reasons: [String]
        public var breakerSignal: String?
        public var topFactor: String?
        public var cost: Nanodollars
    }

    public var since: Timestamp
    /// nil: no upper bound.
    public var until: Timestamp?
    /// nil: every agent.
    public var agent: String?
    public var total: Int
    public var medium: Int
    public var high: Int
    public var critical: Int
    public var costMismatches: Int
    /// Total cost of every flagged event in the window, exact.
    public var cost: Nanodollars
    /// Breaker signals the flagged events carried, most frequent first.
    public var breakerSignals: [Tally]
    /// Highest maximum score first, then highest mean, more events, agent id.
    public var topAgents: [AgentRisk]
    /// The five factors in `SecurityReport.factorNames` order (zeros for an empty window).
    public var factors: [FactorStats]
    /// Newest first.
    public var recent: [Event]

    public var isEmpty: Bool { total == 0 }
}

/// Reads `security_events` into a `SecurityReportData`. Every query is parameterized; money
/// stays exact (numeric text → `Nanodollars`).
public struct SecurityReport {
    /// The five risk factors, in `RiskFactors` order (also the tie order for "strongest").
    public static let factorNames = ["rate", "spike", "efficiency", "switching", "history"]

    private let db: PGConnection

    public init(db: PGConnection) {
        self.db = db
    }

    /// The report for events with `since <= occurred_at < until` (no upper bound when `until`
    /// is nil), of one agent or all; `topAgents` and `recentEvents` are clamped to 0…1000.
    public func make(
        since: Timestamp, until: Timestamp? = nil, agent: String? = nil, topAgents: Int = 10, recentEvents: Int = 20
    ) throws(StoreError) -> SecurityReportData {
        let window: [String?] = [since.rfc3339, until?.rfc3339, agent]
        let totals = try run("""
            SELECT count(*), count(*) FILTER (WHERE level = 'MEDIUM'), count(*) FILTER (WHERE level = 'HIGH'),
                   count(*) FILTER (WHERE level = 'CRITICAL'), count(*) FILTER (WHERE cost_mismatch),
                   coalesce(sum(cost_usd), 0)::text
            FROM (\(Self.windowSQL)) w
            """, window)
        let row = totals.rows.first ?? []
        func int(_ i: Int) -> Int { row.indices.contains(i) ? Int(row[i] ?? "") ?? 0 : 0 }
        let signals = try run("""
            SELECT breaker_signal, count(*) FROM (\(Self.windowSQL)) w
            WHERE breaker_signal IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1
            """, window).rows.map { SecurityReportData.Tally(name: $0[0] ?? "", count: Int($0[1] ?? "") ?? 0) }
        return SecurityReportData(
            since: since, until: until, agent: agent, total: int(0), medium: int(1), high: int(2), critical: int(3),
            costMismatches: int(4), cost: try Self.money(row.indices.contains(5) ? row[5] : nil), breakerSignals: signals,
            topAgents: try agents(window, limit: topAgents), factors: try factors(window),
            recent: try recent(window, limit: recentEvents))
    }

    private func agents(_ window: [String?], limit: Int) throws(StoreError) -> [SecurityReportData.AgentRisk] {
        let rows = try run("""
            WITH w AS (\(Self.windowSQL)),
            a AS (
                SELECT agent_id, max(score) AS max_score, round(avg(score), 1) AS mean_score, count(*) AS events,
                       count(*) FILTER (WHERE level = 'MEDIUM') AS medium, count(*) FILTER (WHERE level = 'HIGH') AS high,
                       count(*) FILTER (WHERE level = 'CRITICAL') AS critical, max(occurred_at) AS last_seen,
                       sum(cost_usd) AS cost
                FROM w GROUP BY agent_id),
            f AS (
                SELECT agent_id, strongest, row_number() OVER (PARTITION BY agent_id
                           ORDER BY count(*) DESC, array_position(\(Self.factorArraySQL), strongest)) AS rank
                FROM w WHERE strongest IS NOT NULL GROUP BY agent_id, strongest)
            SELECT a.agent_id, a.max_score::text, a.mean_score::text, a.events::text, a.medium::text, a.high::text,
                   a.critical::text, \(Self.utc("a.last_seen")), f.strongest, a.cost::text
            FROM a LEFT JOIN f ON f.agent_id = a.agent_id AND f.rank = 1
            ORDER BY a.max_score DESC, a.mean_score DESC, a.events DESC, a.agent_id
            LIMIT $4
            """, window + [String(Self.clamp(limit))]).rows
        var result: [SecurityReportData.AgentRisk] = []
        for r in rows {
            result.append(.init(
                agentID: r[0] ?? "", maxScore: Int(r[1] ?? "") ?? 0, meanScore: Double(r[2] ?? "") ?? 0,
                events: Int(r[3] ?? "") ?? 0, medium: Int(r[4] ?? "") ?? 0, high: Int(r[5] ?? "") ?? 0,
                critical: Int(r[6] ?? "") ?? 0, lastSeen: try Self.time(r[7]), topFactor: r[8], cost: try Self.money(r[9])))
        }
        return result
    }

    private func factors(_ window: [String?]) throws(StoreError) -> [SecurityReportData.FactorStats] {
        let rows = try run("""
            SELECT f.name, round(avg(f.value), 3)::text, (percentile_disc(0.95) WITHIN GROUP (ORDER BY f.value))::text,
                   max(f.value)::text, count(*) FILTER (WHERE w.strongest = f.name)
            FROM (\(Self.windowSQL)) w
            CROSS JOIN LATERAL (VALUES ('rate', w.rate_factor), ('spike', w.spike_factor),
                ('efficiency', w.efficiency_factor), ('switching', w.switching_factor), ('history', w.history_factor))
                AS f(name, value)
            GROUP BY f.name
            """, window).rows
        return Self.factorNames.map { name in
            guard let r = rows.first(where: { $0[0] == name }) else {
                return .init(name: name, mean: 0, p95: 0, max: 0, strongestIn: 0)
            }
            return .init(name: name, mean: Double(r[1] ?? "") ?? 0, p95: Double(r[2] ?? "") ?? 0,
                         max: Double(r[3] ?? "") ?? 0, strongestIn: Int(r[4] ?? "") ?? 0)
        }
    }

    private func recent(_ window: [String?], limit: Int) throws(StoreError) -> [SecurityReportData.Event] {
        let rows = try run("""
            SELECT event_id, \(Self.utc("occurred_at")), agent_id, session_id, provider, model, score::text, level,
                   confidence::text, array_to_json(reasons[1:3])::text, breaker_signal, strongest, cost_usd::text
            FROM (\(Self.windowSQL)) w
            ORDER BY occurred_at DESC, event_id
            LIMIT $4
            """, window + [String(Self.clamp(limit))]).rows
        var result: [SecurityReportData.Event] = []
        for r in rows {
            var reasons: [String] = []
            if let json = try? JSONParser.parse(Array((r[9] ?? "[]").utf8)), case .array(let items) = json {
                reasons = items.compactMap(\.stringValue)
            }
            result.append(.init(
                eventID: r[0] ?? "", occurredAt: try Self.time(r[1]), agentID: r[2] ?? "", sessionID: r[3] ?? "",
                provider: r[4] ?? "", model: r[5] ?? "", score: Int(r[6] ?? "") ?? 0,
                level: RiskLevel(rawValue: r[7] ?? "") ?? RiskLevel(score: Int(r[6] ?? "") ?? 0),
                confidence: Double(r[8] ?? "") ?? 0, reasons: reasons, breakerSignal: r[10], topFactor: r[11],
                cost: try Self.money(r[12])))
        }
        return result
    }

    /// The window's rows plus `strongest`: the name of the largest factor (first in
    /// `factorNames` order on a tie), NULL when all five are 0. $1 since, $2 until or NULL,
    /// $3 agent or NULL.
    static let windowSQL = """
        SELECT *, CASE GREATEST(rate_factor, spike_factor, efficiency_factor, switching_factor, history_factor)
                      WHEN 0 THEN NULL WHEN rate_factor THEN 'rate' WHEN spike_factor THEN 'spike'
                      WHEN efficiency_factor THEN 'efficiency' WHEN switching_factor THEN 'switching' ELSE 'history'
                  END AS strongest
        FROM security_events
        WHERE occurred_at >= $1::timestamptz AND ($2::timestamptz IS NULL OR occurred_at < $2::timestamptz)
          AND ($3::text IS NULL OR agent_id = $3::text)
        """

    static let factorArraySQL = "ARRAY['rate', 'spike', 'efficiency', 'switching', 'history']"

    static func utc(_ column: String) -> String {
        "to_char(\(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
    }

    static func clamp(_ limit: Int) -> Int { min(max(limit, 0), 1000) }

    private func run(_ sql: String, _ params: [String?]) throws(StoreError) -> PGResult {
        do {
            return try db.query(sql, params)
        } catch {
            if error.sqlState == "42P01" {
                throw StoreError(code: .notMigrated, message: "table security_events does not exist: run `costctl migrate` "
                                 + "(with COST_PG_URL pointing at the same database)", isRetriable: false)
            }
            throw StoreError(error)
        }
    }

    static func money(_ text: String?) throws(StoreError) -> Nanodollars {
        do {
            return try Nanodollars.parseUSD(text ?? "")
        } catch {
            throw StoreError(code: .invalidData, message: "security_events holds a cost that is not exact USD: \(error)",
                             isRetriable: false)
        }
    }

    static func time(_ text: String?) throws(StoreError) -> Timestamp {
        guard let text, let t = Timestamp.parseRFC3339(text) else {
            throw StoreError(code: .invalidData, message: "unreadable time '\(text ?? "NULL")' in security_events",
                             isRetriable: false)
        }
        return t
    }
}

extension SecurityReport {
    /// The longest look-back a duration may give: 10 years.
    public static let maxLookBackSeconds: Int64 = 3650 * 86_400

    /// A window bound: a duration back from `now` ("90m", "24h", "7d", "2w") or an RFC 3339
    /// time with an offset ("2026-11-27T05:00:00Z"). The error names `option` and says what
    /// is wrong.
    public static func parseTime(_ text: String, now: Timestamp, option: String = "--since") throws(StoreError) -> Timestamp {
        let examples = "a duration such as 90m, 24h, 7d or 2w, or an RFC 3339 time with an offset such as 2026-11-27T05:00:00Z"
        func refuse(_ why: String) -> StoreError {
            StoreError(code: .invalidData, message: "\(option) \(why)", isRetriable: false)
        }
        let trimmed = text.trimmingSpaces
        guard !trimmed.isEmpty else { throw refuse("is empty: give \(examples)") }
        if let time = Timestamp.parseRFC3339(trimmed) { return time }
        if trimmed.count >= 10, trimmed.dropFirst(4).first == "-" {
            throw refuse("'\(text)' is not a valid RFC 3339 time: write a real date and time with an offset, "
                         + "e.g. 2026-11-27T05:00:00Z or 2026-11-27T06:00:00+01:00")
        }
        if trimmed.first == "-" || trimmed.first == "+" {
            throw refuse("'\(text)' has a sign: a duration already counts back from now, e.g. 24h")
        }
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        let unit = trimmed.dropFirst(digits.count)
        guard !digits.isEmpty else { throw refuse("'\(text)' is neither \(examples)") }
        guard !unit.isEmpty else { throw refuse("'\(text)' has no unit: write \(text)m, \(text)h, \(text)d or \(text)w") }
        if unit.first == "." || unit.first == "," {
            throw refuse("'\(text)': the amount must be a whole number of minutes, hours, days or weeks (e.g. 90m, not 1.5h)")
        }
        let unitSeconds: Int64
        switch unit {
        case "m": unitSeconds = 60
        case "h": unitSeconds = 3_600
        case "d": unitSeconds = 86_400
        case "w": unitSeconds = 604_800
        default:
            throw refuse("'\(text)': unknown unit '\(unit)' (use m for minutes, h for hours, d for days, w for weeks, e.g. 90m, 24h, 7d)")
        }
        guard let amount = Int64(digits), amount <= maxLookBackSeconds / unitSeconds else {
            throw refuse("'\(text)' reaches back more than 10 years (3650d)")
        }
        guard amount > 0 else { throw refuse("'\(text)' is an empty window: the duration must be at least 1\(unit)") }
        return now.adding(seconds: -amount * unitSeconds)
    }
}

private extension String {
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
