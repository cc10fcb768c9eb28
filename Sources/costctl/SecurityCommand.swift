import ArgumentParser
import CostCore
import CostStore
import Foundation
import WorkerRuntime

struct SecurityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "security", abstract: "Security audit of what the anomaly worker flagged.",
        subcommands: [Report.self], defaultSubcommand: Report.self)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Top agents by risk, factor distribution and recent flagged events in a time window.",
            discussion: """
                cost-anomaly scores every usage event 0–100 and stores the ones scored
                MEDIUM or above in the table security_events, which this report reads.

                Levels (by score):
                  MEDIUM    25–49  worth a look: one factor elevated, or several mildly
                  HIGH      50–79  one factor saturated, or several agreeing
                  CRITICAL  80+    several factors agree; asks the agent's breaker to
                                   open (signal risk_critical)
                Factors (each 0–1, measured against the agent's own learned normal):
                  rate        calls or cost per minute over the rate tiers, or a
                              rate kept up for minutes far above the agent's usual
                  spike       one call's cost many times normal, or a model new to
                              the agent that costs far more per token
                  efficiency  unusual token use (prompt stuffing), or a reported
                              cost below the catalog's
                  switching   more models or providers in 15 min than usual, or
                              several new to the agent
                  history     recent hours' spend far above this hour-of-week's
                An event's strongest factor is its highest; an agent's top factor is
                the one most often strongest in its events. p95: 95 % of the events
                had this value or less. Breaker signals: risk_critical, cost_spike,
                rate_violation.

                Events count by occurred_at. --since and --until take a duration back
                from now (90m, 24h, 7d, 2w) or an RFC 3339 time with an offset.

                Examples:
                  costctl security report                     # the last 24 hours
                  costctl security report --since 7d --top 5 --recent 50
                  costctl security report --agent planner@team-a --since 90m
                  costctl security report --since 2026-11-27T00:00:00Z \\
                      --until 2026-11-28T00:00:00Z
                  costctl security report --format json | jq '.top_agents[0]'
                """)

        @Option(help: "Start of the window: 90m, 24h, 7d, 2w, or an RFC 3339 time.") var since: String = "24h"
        @Option(help: "End of the window (exclusive), same forms as --since (default: no end).") var until: String?
        @Option(help: "Only this agent (exact id).") var agent: String?
        @Option(help: "How many agents to list, 0–1000.") var top: Int = 10
        @Option(help: "How many recent events to list, 0–1000.") var recent: Int = 20
        @Option(help: "text or json.") var format: Format = .text

        func validate() throws {
            guard (0...1000).contains(top) else { throw ValidationError("--top must be between 0 and 1000 (got \(top))") }
            guard (0...1000).contains(recent) else { throw ValidationError("--recent must be between 0 and 1000 (got \(recent))") }
        }

        func run() throws {
            let now = SystemClock.now()
            let start: Timestamp, end: Timestamp?
            do {
                start = try SecurityReport.parseTime(since, now: now, option: "--since")
                end = try until.map { text throws(StoreError) in try SecurityReport.parseTime(text, now: now, option: "--until") }
            } catch {
                throw ValidationError(error.message)
            }
            if let end, end <= start {
                throw ValidationError("--until (\(Self.time(end))) must be after --since (\(Self.time(start)))")
            }
            let db = try CLIEnvironment.postgres()
            defer { db.close() }
            let data: SecurityReportData
            do {
                data = try SecurityReport(db: db).make(since: start, until: end, agent: agent, topAgents: top, recentEvents: recent)
            } catch {
                throw ValidationError(error.message)
            }
            switch format {
            case .json: print(Self.json(data).serialized())
            case .text: print(Self.text(data, sinceText: since), terminator: "")
            }
        }

        /// "2026-11-27T05:00:00Z": UTC to the second.
        static func time(_ t: Timestamp) -> String {
            String(t.rfc3339.prefix(19)) + "Z"
        }

        static func fixed(_ value: Double, _ digits: Int) -> String {
            String(format: "%.\(digits)f", value)
        }

        static func text(_ d: SecurityReportData, sinceText: String) -> String {
            var out = ""
            func line(_ s: String = "") { out += s + "\n" }
            func table(_ header: [String], _ rows: [[String]]) {
                var widths = header.map(\.count)
                for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
                for cells in [header] + rows {
                    let padded = cells.enumerated().map { i, c in i == cells.count - 1 ? c : c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                    line(padded.joined(separator: "  "))
                }
            }
            let relative = Timestamp.parseRFC3339(sinceText) == nil ? " (\(sinceText) ago)" : ""
            let window = "\(time(d.since))\(relative) → \(d.until.map(time) ?? "now")"
            let who = d.agent.map { "agent \($0)" } ?? "all agents"
            guard !d.isEmpty else {
                line("Security report: no flagged events from \(window), \(who).")
                line("cost-anomaly stores every event it scores MEDIUM or above; if you expected some:")
                line("  - is cost-anomaly running? `costctl status` shows the cost.usage.anomaly queue: 0 consumers")
                line("    means no worker is scoring; a growing ready count means it is behind")
                line("  - are events arriving at all? the same `costctl status` shows stored events and the store rate")
                line("  - try a wider window, e.g. --since 7d" + (d.agent == nil ? "" : ", or drop --agent (ids match exactly)"))
                return out
            }
            line("Security report: \(window), \(who)")
            line("flagged events: \(d.total)   MEDIUM \(d.medium)   HIGH \(d.high)   CRITICAL \(d.critical)   "
                 + "cost of flagged events: \(d.cost)")
            let signals = d.breakerSignals.map { "\($0.name) \($0.count)" }.joined(separator: ", ")
            line("cost mismatches: \(d.costMismatches)   breaker signals: \(signals.isEmpty ? "none" : signals)")
            if !d.topAgents.isEmpty {
                line()
                line("Top agents by risk")
                table(["agent", "max", "mean", "events", "MEDIUM", "HIGH", "CRITICAL", "top factor", "cost", "last seen (UTC)"],
                      d.topAgents.map { a in
                          [a.agentID, String(a.maxScore), fixed(a.meanScore, 1), String(a.events), String(a.medium), String(a.high),
                           String(a.critical), a.topFactor ?? "-", a.cost.description, time(a.lastSeen)]
                      })
            }
            line()
            line("Factor distribution (\(d.total) events)")
            table(["factor", "mean", "p95", "max", "strongest in"], d.factors.map { f in
                [f.name, fixed(f.mean, 3), fixed(f.p95, 3), fixed(f.max, 3), String(f.strongestIn)]
            })
            if !d.recent.isEmpty {
                line()
                line("Recent events (newest first)")
                table(["time (UTC)", "agent", "session", "provider/model", "score", "level", "conf", "breaker", "reasons"],
                      d.recent.map { e in
                          [time(e.occurredAt), e.agentID, e.sessionID, "\(e.provider)/\(e.model)", String(e.score), e.level.rawValue,
                           fixed(e.confidence, 2), e.breakerSignal ?? "-", e.reasons.isEmpty ? "-" : e.reasons.joined(separator: "; ")]
                      })
            }
            return out
        }

        static func json(_ d: SecurityReportData) -> JSONValue {
            func int(_ n: Int) -> JSONValue { .number(String(n)) }
            func optional(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
            return .object([
                ("window", .object([("since", .string(d.since.rfc3339Short)), ("until", optional(d.until?.rfc3339Short)),
                                    ("agent", optional(d.agent))])),
                ("totals", .object([("events", int(d.total)), ("MEDIUM", int(d.medium)), ("HIGH", int(d.high)),
                                    ("CRITICAL", int(d.critical)), ("cost_mismatches", int(d.costMismatches)),
                                    ("cost_usd", .string(d.cost.decimalString))])),
                ("breaker_signals", .object(d.breakerSignals.map { ($0.name, int($0.count)) })),
                ("top_agents", .array(d.topAgents.map { a in
                    .object([("agent_id", .string(a.agentID)), ("max_score", int(a.maxScore)),
                             ("mean_score", .number(fixed(a.meanScore, 1))), ("events", int(a.events)),
                             ("MEDIUM", int(a.medium)), ("HIGH", int(a.high)), ("CRITICAL", int(a.critical)),
                             ("top_factor", optional(a.topFactor)), ("cost_usd", .string(a.cost.decimalString)),
                             ("last_seen", .string(a.lastSeen.rfc3339Short))])
                })),
                ("factors", .array(d.factors.map { f in
                    .object([("name", .string(f.name)), ("mean", .number(fixed(f.mean, 3))), ("p95", .number(fixed(f.p95, 3))),
                             ("max", .number(fixed(f.max, 3))), ("strongest_in", int(f.strongestIn))])
                })),
                ("recent_events", .array(d.recent.map { e in
                    .object([("event_id", .string(e.eventID)), ("occurred_at", .string(e.occurredAt.rfc3339Short)),
                             ("agent_id", .string(e.agentID)), ("session_id", .string(e.sessionID)),
                             ("provider", .string(e.provider)), ("model", .string(e.model)), ("score", int(e.score)),
                             ("level", .string(e.level.rawValue)), ("confidence", .number(fixed(e.confidence, 3))),
                             ("top_factor", optional(e.topFactor)), ("reasons", .array(e.reasons.map(JSONValue.string))),
                             ("breaker_signal", optional(e.breakerSignal)), ("cost_usd", .string(e.cost.decimalString))])
                })),
            ])
        }
    }
}
