import CostCore
import CostStore
import Foundation
import PostgresClient
import Testing

/// What an admin sees from `costctl security report`: the flagged events of a window, ranked
/// and summed exactly, from a real PostgreSQL filled through `SecurityStore.insert`.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct SecurityReportTests {
    static let since = Timestamp.parseRFC3339("2026-11-20T00:00:00Z")!
    static let until = since.adding(seconds: 86_400)

    static func record(
        _ id: String, agent: String, hour: Int64, score: Int, factors: RiskFactors, cost: String,
        confidence: Double = 0.8, mismatch: Bool = false, reasons: [String] = [], signal: String? = nil
    ) throws -> SecurityEventRecord {
        let event = UsageEvent(eventID: id, occurredAt: since.adding(seconds: hour * 3_600), sessionID: "s-\(agent)",
                               agentID: agent, provider: "openai", model: "gpt-4o", inputTokens: 1_000, outputTokens: 100)
        let assessment = RiskAssessment(score: score, level: RiskLevel(score: score), confidence: confidence, factors: factors,
                                        costMismatch: mismatch, reasons: reasons, breakerSignal: signal)
        return SecurityEventRecord(event: event, cost: try Nanodollars.parseUSD(cost), assessment: assessment)
    }

    /// Seven events in the window from four agents, one just before it and one at its
    /// (exclusive) end.
    static func fixture() throws -> [SecurityEventRecord] {
        [
            try record("a1", agent: "alpha", hour: 1, score: 90, factors: RiskFactors(rate: 0.9, spike: 0.8, history: 0.1),
                       cost: "0.500000001", reasons: ["rate: over the limit rate tier", "spike: the call's cost is 9.0× normal"],
                       signal: "risk_critical"),
            try record("a2", agent: "alpha", hour: 2, score: 60, factors: RiskFactors(rate: 0.7, spike: 0.2), cost: "0.25"),
            try record("a3", agent: "alpha", hour: 3, score: 30, factors: RiskFactors(rate: 0.1, spike: 0.4), cost: "0.000000003"),
            try record("b1", agent: "bravo", hour: 4, score: 90, factors: RiskFactors(spike: 0.95), cost: "1.1",
                       mismatch: true, signal: "cost_spike"),
            try record("b2", agent: "bravo", hour: 5, score: 40, factors: RiskFactors(efficiency: 0.6), cost: "0.1",
                       mismatch: true),
            try record("c1", agent: "charlie", hour: 6, score: 55, factors: RiskFactors(switching: 0.7, history: 0.7),
                       cost: "0.02", confidence: 0.45,
                       reasons: ["switching: 4 models from 3 providers, \"odd\" {x}", "history: 3.0×", "third", "fourth"],
                       signal: "rate_violation"),
            try record("d1", agent: "delta", hour: 7, score: 26, factors: RiskFactors(), cost: "0"),
            try record("old", agent: "alpha", hour: -1, score: 99, factors: RiskFactors(rate: 1), cost: "5"),
            try record("end", agent: "echo", hour: 24, score: 99, factors: RiskFactors(rate: 1), cost: "7"),
        ]
    }

    static func filledDatabase() throws -> ScratchDatabase {
        let db = try ScratchDatabase()
        let connection = try PGConnection(url: db.url, applicationName: "it-security-report")
        defer { connection.close() }
        #expect(try SecurityStore(db: connection).insert(try fixture()) == 9)
        return db
    }

    @Test("the report counts levels, mismatches and breaker signals of the window only, ranks agents and sums cost exactly")
    func reportNumbers() throws {
        let db = try Self.filledDatabase()
        defer { db.drop() }
        let connection = try PGConnection(url: db.url, applicationName: "it-security-report")
        defer { connection.close() }
        let r = try SecurityReport(db: connection).make(since: Self.since, until: Self.until, topAgents: 10, recentEvents: 3)

        #expect(r.total == 7 && r.medium == 3 && r.high == 2 && r.critical == 2, "\(r)")
        #expect(r.costMismatches == 2)
        #expect(r.cost == Nanodollars(1_970_000_004), "old and end-of-window rows are excluded")
        #expect(r.breakerSignals.map { "\($0.name)=\($0.count)" } == ["cost_spike=1", "rate_violation=1", "risk_critical=1"])

        // bravo and alpha share max 90: bravo's mean (65) beats alpha's (60).
        #expect(r.topAgents.map(\.agentID) == ["bravo", "alpha", "charlie", "delta"])
        let alpha = try #require(r.topAgents.first { $0.agentID == "alpha" })
        #expect(alpha.maxScore == 90 && alpha.meanScore == 60 && alpha.events == 3)
        #expect(alpha.medium == 1 && alpha.high == 1 && alpha.critical == 1)
        #expect(alpha.topFactor == "rate" && alpha.cost == Nanodollars(750_000_004))
        #expect(alpha.lastSeen == Self.since.adding(seconds: 3 * 3_600))
        let bravo = r.topAgents[0]
        #expect(bravo.meanScore == 65 && bravo.topFactor == "spike", "a tie between spike and efficiency goes to spike")
        #expect(bravo.cost == Nanodollars(1_200_000_000))
        #expect(r.topAgents[2].topFactor == "switching", "charlie's tie between switching and history goes to switching")
        #expect(r.topAgents[3].topFactor == nil, "delta's factors are all 0: no strongest factor")

        #expect(r.factors.map(\.name) == ["rate", "spike", "efficiency", "switching", "history"])
        #expect(r.factors.map(\.mean) == [0.243, 0.336, 0.086, 0.1, 0.114])
        #expect(r.factors.map(\.p95) == [0.9, 0.95, 0.6, 0.7, 0.7])
        #expect(r.factors.map(\.max) == [0.9, 0.95, 0.6, 0.7, 0.7])
        #expect(r.factors.map(\.strongestIn) == [2, 2, 1, 1, 0])

        #expect(r.recent.map(\.eventID) == ["d1", "c1", "b2"], "newest first, three of them")
        let c1 = r.recent[1]
        #expect(c1.agentID == "charlie" && c1.sessionID == "s-charlie" && c1.provider == "openai" && c1.model == "gpt-4o")
        #expect(c1.score == 55 && c1.level == .high && c1.confidence == 0.45 && c1.breakerSignal == "rate_violation")
        #expect(c1.reasons == ["switching: 4 models from 3 providers, \"odd\" {x}", "history: 3.0×", "third"])
        #expect(c1.occurredAt == Self.since.adding(seconds: 6 * 3_600) && c1.cost == Nanodollars(20_000_000))
        #expect(r.recent[0].breakerSignal == nil && r.recent[0].reasons.isEmpty)
    }

    @Test("--agent keeps one agent's events; a redelivered event is stored once and changes nothing; top limits the list")
    func agentFilterAndDuplicates() throws {
        let db = try Self.filledDatabase()
        defer { db.drop() }
        let connection = try PGConnection(url: db.url, applicationName: "it-security-report")
        defer { connection.close() }
        var again = try Self.fixture()[0]
        again.assessment.score = 10
        again.cost = Nanodollars(999)
        #expect(try SecurityStore(db: connection).insert([again]) == 0, "the first stored record wins")

        let report = SecurityReport(db: connection)
        let alpha = try report.make(since: Self.since, until: Self.until, agent: "alpha")
        #expect(alpha.total == 3 && alpha.agent == "alpha" && alpha.cost == Nanodollars(750_000_004))
        #expect(alpha.topAgents.map(\.agentID) == ["alpha"] && alpha.topAgents[0].maxScore == 90)
        #expect(alpha.factors[0].mean == 0.567 && alpha.factors[0].strongestIn == 2)
        #expect(alpha.recent.map(\.eventID) == ["a3", "a2", "a1"])

        let open = try report.make(since: Self.since, until: nil, topAgents: 2, recentEvents: 0)
        #expect(open.total == 8 && open.cost == Nanodollars(8_970_000_004), "no upper bound: the row at the end counts")
        #expect(open.topAgents.map(\.agentID) == ["echo", "bravo"] && open.recent.isEmpty)

        let none = try report.make(since: Self.since, until: Self.until, agent: "nobody")
        #expect(none.isEmpty && none.cost == .zero && none.topAgents.isEmpty)
        #expect(none.factors.map(\.name) == SecurityReport.factorNames && none.factors.allSatisfy { $0.mean == 0 && $0.max == 0 })
    }

    @Test("costctl security report prints the header, top agents, factor distribution and recent events; json has the same numbers")
    func commandOutput() throws {
        let db = try Self.filledDatabase()
        defer { db.drop() }
        var environment = ProcessInfo.processInfo.environment
        environment["COST_PG_URL"] = db.url
        let costctl = try IntegrationEnvironment.executable("costctl")
        let window = ["--since", "2026-11-20T00:00:00Z", "--until", "2026-11-21T00:00:00Z"]

        let text = try CommandRunner.run(costctl, ["security", "report"] + window + ["--top", "2", "--recent", "2"],
                                         environment: environment)
        #expect(text.status == 0, "\(text.combined)")
        let lines = text.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "Security report: 2026-11-20T00:00:00Z → 2026-11-21T00:00:00Z, all agents", "\(text.combined)")
        #expect(lines.contains("flagged events: 7   MEDIUM 3   HIGH 2   CRITICAL 2   cost of flagged events: $1.970000004"))
        #expect(lines.contains("cost mismatches: 2   breaker signals: cost_spike 1, rate_violation 1, risk_critical 1"))
        func section(_ title: String) throws -> [[String]] {
            let start = try #require(lines.firstIndex(of: title), "no section \(title)\n\(text.combined)")
            return lines[(start + 2)...].prefix { !$0.isEmpty }.map { $0.split(separator: " ").map(String.init) }
        }
        let agents = try section("Top agents by risk")
        #expect(agents.map { Array($0.prefix(10)) } == [
            ["bravo", "90", "65.0", "2", "1", "0", "1", "spike", "$1.200000000", "2026-11-20T05:00:00Z"],
            ["alpha", "90", "60.0", "3", "1", "1", "1", "rate", "$0.750000004", "2026-11-20T03:00:00Z"],
        ], "\(text.combined)")
        let factors = try section("Factor distribution (7 events)")
        #expect(factors.first == ["rate", "0.243", "0.900", "0.900", "2"], "\(text.combined)")
        #expect(factors.map { $0[0] } == SecurityReport.factorNames)
        let recent = try section("Recent events (newest first)")
        #expect(recent.map { Array($0.prefix(8)) } == [
            ["2026-11-20T07:00:00Z", "delta", "s-delta", "openai/gpt-4o", "26", "MEDIUM", "0.80", "-"],
            ["2026-11-20T06:00:00Z", "charlie", "s-charlie", "openai/gpt-4o", "55", "HIGH", "0.45", "rate_violation"],
        ], "\(text.combined)")

        let json = try CommandRunner.run(costctl, ["security", "report", "--format", "json", "--agent", "bravo"] + window,
                                         environment: environment)
        #expect(json.status == 0, "\(json.combined)")
        let value = try JSONParser.parse(Array(json.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines).utf8))
        #expect(value["window"]?["agent"]?.stringValue == "bravo")
        #expect(value["totals"]?["events"]?.integerValue == 2 && value["totals"]?["cost_usd"]?.stringValue == "1.200000000")
        #expect(value["totals"]?["cost_mismatches"]?.integerValue == 2)
        #expect(value["breaker_signals"]?["cost_spike"]?.integerValue == 1)
        guard case .array(let top)? = value["top_agents"], case .array(let factorsJSON)? = value["factors"],
              case .array(let events)? = value["recent_events"] else {
            Issue.record("top_agents, factors and recent_events should be arrays\n\(json.combined)")
            return
        }
        #expect(top.map { $0["agent_id"]?.stringValue } == ["bravo"] && top[0]["top_factor"]?.stringValue == "spike")
        #expect(factorsJSON.map { $0["mean"]?.numberText } == ["0.000", "0.475", "0.300", "0.000", "0.000"])
        #expect(events.map { $0["event_id"]?.stringValue } == ["b2", "b1"])
        #expect(events[1]["breaker_signal"]?.stringValue == "cost_spike" && events[1]["cost_usd"]?.stringValue == "1.100000000")
    }

    @Test("an empty window says what to check next; a bad --since is refused with the reason")
    func emptyWindowAndBadSince() throws {
        let db = try Self.filledDatabase()
        defer { db.drop() }
        var environment = ProcessInfo.processInfo.environment
        environment["COST_PG_URL"] = db.url
        let costctl = try IntegrationEnvironment.executable("costctl")
        let empty = try CommandRunner.run(costctl, ["security", "report", "--since", "2020-01-01T00:00:00Z",
                                                    "--until", "2020-01-02T00:00:00Z"], environment: environment)
        #expect(empty.status == 0, "\(empty.combined)")
        #expect(empty.standardOutput.contains("no flagged events from 2020-01-01T00:00:00Z → 2020-01-02T00:00:00Z"), "\(empty.combined)")
        #expect(empty.standardOutput.contains("is cost-anomaly running? `costctl status`"), "\(empty.combined)")

        let bad = try CommandRunner.run(costctl, ["security", "report", "--since", "24x"], environment: environment)
        #expect(bad.status != 0 && bad.standardError.contains("--since '24x': unknown unit 'x'"), "\(bad.combined)")
    }
}

/// `--since` / `--until`: a duration back from now or an RFC 3339 time; anything else is
/// refused with what is wrong.
@Suite
struct SecurityReportTimeTests {
    static let now = Timestamp.parseRFC3339("2026-11-27T12:00:00Z")!

    @Test("durations count back from now; RFC 3339 times are taken as they are", arguments: [
        ("90m", "2026-11-27T10:30:00Z"), ("24h", "2026-11-26T12:00:00Z"), ("7d", "2026-11-20T12:00:00Z"),
        ("2w", "2026-11-13T12:00:00Z"), (" 1h ", "2026-11-27T11:00:00Z"), ("3650d", "2016-11-29T12:00:00Z"),
        ("2026-11-27T05:00:00Z", "2026-11-27T05:00:00Z"), ("2026-11-27T06:00:00+01:00", "2026-11-27T05:00:00Z"),
    ])
    func valid(text: String, expected: String) throws {
        #expect(try SecurityReport.parseTime(text, now: Self.now) == Timestamp.parseRFC3339(expected))
    }

    @Test("bad input is refused with the option's name and the reason", arguments: [
        ("", "--since is empty"), ("24x", "--since '24x': unknown unit 'x'"), ("0h", "'0h' is an empty window"),
        ("3651d", "reaches back more than 10 years"), ("99999999999999999999h", "reaches back more than 10 years"),
        ("-24h", "'-24h' has a sign"), ("1.5h", "must be a whole number"), ("24", "'24' has no unit"),
        ("yesterday", "'yesterday' is neither a duration"), ("2026-13-01T00:00:00Z", "is not a valid RFC 3339 time"),
        ("2026-11-27T05:00:00", "is not a valid RFC 3339 time"),
    ])
    func invalid(text: String, message: String) {
        do {
            let t = try SecurityReport.parseTime(text, now: Self.now)
            Issue.record("'\(text)' should be refused, got \(t)")
        } catch {
            #expect(error.code == .invalidData)
            #expect(error.message.contains(message), "\(error.message)")
        }
    }

    @Test("the error names the option it is about")
    func namesOption() {
        #expect(throws: StoreError.self) { try SecurityReport.parseTime("soon", now: Self.now, option: "--until") }
        do { _ = try SecurityReport.parseTime("soon", now: Self.now, option: "--until") } catch {
            #expect(error.message.hasPrefix("--until 'soon'"))
        }
    }
}
