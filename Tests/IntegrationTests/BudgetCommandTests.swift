import CostCore
import Foundation
import Testing

extension BudgetIntegration {
    /// What an admin sees from `costctl budget`: refusals that say what is wrong, and a
    /// status table with each budget's spend, limit and utilization.
    @Suite(.serialized, .timeLimit(.minutes(3)))
    struct BudgetCommandTests {
        @Test("costctl budget set refuses a negative limit, an unknown scope form, a tier above 100 %, … with the reason, and writes nothing", arguments: [
            (["--scope", "global", "--period", "day", "--limit=-5"], "limit must be greater than $0 (got -5)"),
            (["--scope", "global", "--period", "day", "--limit", "0"], "limit must be greater than $0 (got 0)"),
            (["--scope", "team:x", "--period", "day", "--limit", "5"], "unknown scope form 'team:x'"),
            (["--scope", "global", "--period", "day", "--limit", "5", "--tiers", "50,150"], "tier 150 % is above 100 %"),
            (["--scope", "global", "--period", "day", "--limit", "5", "--breaker", "0"], "breaker threshold 0 % is below 1 %"),
            (["--scope", "global", "--period", "week", "--limit", "5"], "unknown budget period 'week'"),
            (["--scope", "global", "--period", "day", "--limit", "5", "--tz", "Mars/Base"], "unknown time zone 'Mars/Base'"),
            (["--scope", "global", "--period", "day", "--limit", "1.0000000001"], "more than 9 fractional digits"),
        ])
        func badInputIsRefused(flags: [String], message: String) throws {
            let db = try ScratchDatabase()
            defer { db.drop() }
            var environment = ProcessInfo.processInfo.environment
            environment["COST_PG_URL"] = db.url
            let costctl = try IntegrationEnvironment.executable("costctl")
            let output = try CommandRunner.run(costctl, ["budget", "set", "bad-\(IntegrationEnvironment.uniqueSuffix())"] + flags,
                                               environment: environment)
            #expect(output.status != 0, "costctl should refuse \(flags)\n\(output.combined)")
            #expect(output.standardError.contains(message), "the refusal should say \"\(message)\"\n\(output.combined)")
            #expect(try db.count("SELECT count(*) FROM budgets") == 0, "nothing may be written")

            // The same command with valid values is accepted by the same database.
            let good = try CommandRunner.run(costctl, ["budget", "set", "good", "--scope", "global", "--period", "day", "--limit", "5"],
                                             environment: environment)
            #expect(good.status == 0, "\(good.combined)")
            #expect(try db.count("SELECT count(*) FROM budgets") == 1)
        }

        @Test("costctl budget status prints each budget's period, spend, limit, utilization and tier from the live counters")
        func statusShowsSpendAndUtilization() async throws {
            let stage = try BudgetStage(redisDatabase: 6)
            defer { stage.tearDown() }
            let suffix = IntegrationEnvironment.uniqueSuffix()
            let events = BudgetEventBatch(stage: stage, agent: "agent-status-\(suffix)")
            let unit = stage.cost(events.make(1)[0])
            for args in [["budget", "set", "daily-\(suffix)", "--scope", "agent:\(events.agent)", "--period", "day",
                          "--limit", Nanodollars(unit.value * 100).decimalString],
                         ["budget", "set", "monthly-\(suffix)", "--scope", "provider:openai", "--period", "month", "--tz", "Europe/Berlin",
                          "--limit", Nanodollars(unit.value * 1_000).decimalString, "--tiers", "5,10"],
                         ["budget", "set", "idle-\(suffix)", "--scope", "provider:mistral", "--period", "day", "--limit", "7.25"]] {
                let out = try stage.costctl(args)
                #expect(out.status == 0 && out.standardOutput.contains("created budget"), "\(out.combined)")
            }
            let daily = try BudgetDefinition.validated(id: "daily-\(suffix)", scope: .agent(events.agent), periodKind: .day,
                                                       limit: Nanodollars(unit.value * 100))
            let monthly = try BudgetDefinition.validated(id: "monthly-\(suffix)", scope: .provider("openai"), periodKind: .month,
                                                         timeZone: "Europe/Berlin", limit: Nanodollars(unit.value * 1_000))
            let now = TestEvents.now()
            let dailyKey = daily.counterKey(for: try daily.period(containing: events.time)).spend
            let monthlyKey = monthly.counterKey(for: try monthly.period(containing: events.time)).spend
            try stage.startBudgetWorker("budget-bt7")
            try stage.publish(events.make(80))
            let spent = Nanodollars(unit.value * 80)
            try await Waiting.until("80 events counted", timeout: .seconds(30), diagnostics: { stage.diagnostics }) {
                let d = try stage.redis.counter(dailyKey), m = try stage.redis.counter(monthlyKey)
                return (d == spent && m == spent, "daily \(d?.decimalString ?? "-"), monthly \(m?.decimalString ?? "-")")
            }

            let status = try stage.costctl(["budget", "status"])
            #expect(status.status == 0, "\(status.combined)")
            let lines = status.standardOutput.split(separator: "\n").map(String.init)
            #expect(lines.first?.split(separator: " ", omittingEmptySubsequences: true) == ["budget", "period", "spend", "limit", "used", "tier", "projected"],
                    "\(status.combined)")
            func row(_ id: String) throws -> [String] {
                let line = try #require(lines.first { $0.hasPrefix(id + " ") }, "no status line for \(id)\n\(status.combined)")
                return line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            }
            let dailyRow = try row("daily-\(suffix)")
            #expect(Array(dailyRow.prefix(7)) == ["daily-\(suffix)", try daily.period(containing: now).key, "$" + spent.decimalString,
                                                  "$" + Nanodollars(unit.value * 100).decimalString, "80.00", "%", "75"],
                    "\(status.combined)")
            let monthlyRow = try row("monthly-\(suffix)")
            #expect(Array(monthlyRow.prefix(7)) == ["monthly-\(suffix)", try monthly.period(containing: now).key, "$" + spent.decimalString,
                                                    "$" + Nanodollars(unit.value * 1_000).decimalString, "8.00", "%", "5"],
                    "\(status.combined)")
            let idleRow = try row("idle-\(suffix)")
            #expect(Array(idleRow.prefix(6)) == ["idle-\(suffix)", now.utcDayString, "$0.000000000", "$7.250000000", "0.00", "%"],
                    "a budget nothing was spent on shows $0\n\(status.combined)")
            await stage.stopWorkers()
        }
    }
}
