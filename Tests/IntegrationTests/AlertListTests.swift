import CostCore
import CostStore
import Foundation
import PostgresClient
import Testing

extension BudgetIntegration {
    /// `costctl alerts list`: newest first by number (not by text), filtered by state, and
    /// refusing a state or limit it does not know.
    @Suite(.serialized, .timeLimit(.minutes(3)))
    struct AlertListTests {
        @Test("costctl alerts list shows the newest alerts first by numeric id (12 before 9 before 1), filters by state, refuses an unknown state")
        func listsNewestFirst() throws {
            let db = try ScratchDatabase()
            defer { db.drop() }
            let connection = try PGConnection(url: db.url, applicationName: "it-alerts")
            defer { connection.close() }
            let store = AlertStore(db: connection)
            var ids: [Int64] = []
            for tier in 1...12 {
                let record = AlertRecord(kind: "budget_tier", subject: "agent:list-test", periodKey: "2026-11-27", tier: tier,
                                         spend: Nanodollars(Int64(tier) * 1_000), limit: Nanodollars(1_000_000),
                                         message: "tier \(tier)", payload: .object([("tier", .number("\(tier)"))]))
                ids.append(try #require(try store.fire(record)))
            }
            #expect(try store.setState(id: ids[8], state: "acknowledged", by: "tester"))

            let recent = try store.recent(state: nil, limit: 5)
            #expect(recent.map(\.id) == Array(ids.reversed().prefix(5)), "newest five, newest first: \(recent.map(\.id))")
            #expect(try store.recent(state: "acknowledged", limit: 50).map(\.id) == [ids[8]])

            var environment = ProcessInfo.processInfo.environment
            environment["COST_PG_URL"] = db.url
            let costctl = try IntegrationEnvironment.executable("costctl")
            let all = try CommandRunner.run(costctl, ["alerts", "list"], environment: environment)
            #expect(all.status == 0, "\(all.combined)")
            let listed = all.standardOutput.split(separator: "\n").dropFirst().compactMap { line in
                line.split(separator: " ", omittingEmptySubsequences: true).first.flatMap { Int64($0) }
            }
            #expect(listed == ids.reversed(), "ids in the table, top to bottom: \(listed)\n\(all.standardOutput)")

            let acknowledged = try CommandRunner.run(costctl, ["alerts", "list", "--state", "acknowledged"], environment: environment)
            #expect(acknowledged.status == 0 && acknowledged.standardOutput.contains("tier 9")
                        && !acknowledged.standardOutput.contains("tier 10"), "\(acknowledged.combined)")

            let bogus = try CommandRunner.run(costctl, ["alerts", "list", "--state", "opened"], environment: environment)
            #expect(bogus.status != 0 && bogus.standardError.contains("unknown alert state 'opened'"), "\(bogus.combined)")
            let badLimit = try CommandRunner.run(costctl, ["alerts", "list", "--limit", "0"], environment: environment)
            #expect(badLimit.status != 0 && badLimit.standardError.contains("--limit must be between 1 and 10000"), "\(badLimit.combined)")
        }
    }
}
