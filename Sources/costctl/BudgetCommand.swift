import ArgumentParser
import CostCore
import CostStore
import Foundation
import PostgresClient
import RedisClient
import WorkerRuntime

struct BudgetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "budget",
        abstract: "Set, list, remove and watch budgets (running budget workers pick changes up within seconds).",
        discussion: """
            A budget limits spend on a scope per calendar day or month in a time zone:
              costctl budget set daily-global --scope global --period day --limit 500
              costctl budget set team-a --scope tag:team=a --period month --limit 2000 --tz Europe/Berlin --tiers 50,80,95
              costctl budget set planner --scope agent:planner@x --period day --limit 25.50 --breaker 85
            Scopes: global, provider:<p>, agent:<a>, session:<s>, tag:<key>=<value>.
            """,
        subcommands: [Set.self, List.self, Remove.self, Status.self, Rebuild.self])

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create or replace a budget.")
        @Argument(help: "Budget id: 1–64 of a-z 0-9 _ . -") var id: String
        @Option(help: "global, provider:<p>, agent:<a>, session:<s> or tag:<key>=<value>.") var scope: String
        @Option(help: "day or month.") var period: String
        @Option(help: "Limit per period in USD, e.g. 500 or 25.50.") var limit: String
        @Option(help: "IANA time zone of the period's calendar.") var tz: String = "UTC"
        @Option(help: "Alert tiers in whole percent, comma-separated.") var tiers: String = "50,75,85,95"
        @Option(help: "Percent at which the scope's breaker opens.") var breaker: Int = 90

        func run() throws {
            let budget: BudgetDefinition
            do {
                let amount = try Nanodollars.parseUSD(limit, allowNegative: true)
                budget = try BudgetDefinition.validated(
                    id: id, scope: try BudgetScope(parsing: scope), periodKind: try BudgetPeriodKind(parsing: period),
                    timeZone: tz, limit: amount, tiers: try parseTiers(tiers), breakerPercent: breaker)
            } catch {
                throw ValidationError("\(error)")
            }
            let db = try CLIEnvironment.postgres()
            defer { db.close() }
            try Migrator.requireCurrent(db)
            let fresh = try BudgetStore(db: db).upsert(budget)
            print("\(fresh ? "created" : "updated") budget \(budget.id): \(budget.scope.text), $\(budget.limit.decimalString) "
                  + "per \(budget.periodKind.rawValue) (\(budget.timeZone.identifier)), tiers \(budget.tiers), breaker \(budget.breakerPercent) %")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List budgets.")
        func run() throws {
            let db = try CLIEnvironment.postgres()
            defer { db.close() }
            let budgets = try BudgetStore(db: db).budgets()
            if budgets.isEmpty { print("no budgets yet: see `costctl budget set --help`"); return }
            printTable(["id", "scope", "period", "time zone", "limit", "tiers", "breaker"], budgets.map {
                [$0.id, $0.scope.text, $0.periodKind.rawValue, $0.timeZone.identifier, "$" + $0.limit.decimalString,
                 $0.tiers.map(String.init).joined(separator: ","), "\($0.breakerPercent) %"]
            })
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove a budget.")
        @Argument var id: String
        func run() throws {
            let db = try CLIEnvironment.postgres()
            defer { db.close() }
            guard try BudgetStore(db: db).removeBudget(id: id) else { throw ValidationError("no budget '\(id)': `costctl budget list` shows them") }
            print("removed budget \(id)")
        }
    }

    struct Rebuild: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Have the budget workers rebuild every current counter from PostgreSQL.",
            discussion: """
                A budget created in the middle of a period counts spend from its creation on; run this to include                 what PostgreSQL already recorded for the period. Workers pause counting for the few seconds the                 rebuild takes, then go on; nothing is counted twice.
                """)
        func run() throws {
            let redis = try RedisConnection(config: try RedisConfig(url: try CLIEnvironment.value("COST_REDIS_URL", purpose: "the Redis URL")))
            defer { redis.close() }
            try redis.command(["DEL", "cost:budget:ready"])
            print("asked the budget workers to rebuild their counters; `costctl budget status` shows the result in a few seconds")
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Spend, limit, utilization, tier reached and projection for every budget's current period.",
            discussion: "Spend is read from the Redis counters the budget workers keep (COST_REDIS_URL), or, without Redis, summed from PostgreSQL.")
        func run() throws {
            let db = try CLIEnvironment.postgres()
            defer { db.close() }
            let redis = ProcessInfo.processInfo.environment["COST_REDIS_URL"].flatMap { try? RedisConnection(config: RedisConfig(url: $0)) }
            defer { redis?.close() }
            let rows = try budgetStatusRows(db: db, redis: redis)
            if rows.isEmpty { print("no budgets yet: see `costctl budget set --help`"); return }
            printTable(["budget", "period", "spend", "limit", "used", "tier", "projected"], rows)
        }
    }
}

/// One row per budget: its current period's spend (from the Redis counter when reachable,
/// else summed from PostgreSQL), limit, utilization, highest tier reached and projection.
func budgetStatusRows(db: PGConnection, redis: RedisConnection?) throws -> [[String]] {
    let store = BudgetStore(db: db)
    let now = SystemClock.now()
    var rows: [[String]] = []
    for b in try store.budgets() {
        let period = try b.period(containing: now)
        let key = b.counterKey(for: period).spend
        let spend: Nanodollars
        if let redis, let v = try? redis.command(["GET", key]) {
            spend = Nanodollars(v.int ?? 0)
        } else {
            spend = try store.recordedSpend(scope: b.scope, from: period.start, to: period.end)
        }
        let bp = SpendThresholds.utilizationBasisPoints(spend: spend, limit: b.limit)
        let tier = b.tiers.last { SpendThresholds.hasReached(spend: spend, limit: b.limit, percent: $0) }
        let projection = SpendProjection(spend: spend, period: period, now: now)
        rows.append([b.id, period.key, "$" + spend.decimalString, "$" + b.limit.decimalString,
                     String(format: "%d.%02d %%", bp / 100, bp % 100), tier.map { "\($0) %" } ?? "-",
                     projection.map { "$" + $0.projectedSpend.decimalString + ($0.projectedToExceed(limit: b.limit) ? " (exceeds)" : "") }
                         ?? "too early"])
    }
    return rows
}

func parseTiers(_ text: String) throws -> [Int] {
    try text.split(separator: ",").map {
        guard let v = Int($0.trimmingCharacters(in: .whitespaces)) else { throw ValidationError("tier '\($0)' is not a whole percent") }
        return v
    }
}

struct CreditsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credits", abstract: "Provider prepaid credit limits.",
        discussion: "  costctl credits set openai --credit 1000 --since 2026-11-01T00:00:00Z",
        subcommands: [Set.self, List.self])

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create or replace a provider's credit limit.")
        @Argument(help: "Provider, e.g. openai.") var provider: String
        @Option(help: "Prepaid credit in USD.") var credit: String
        @Option(help: "Counting starts at this instant (RFC 3339).") var since: String
        @Option(help: "Alert tiers in whole percent.") var tiers: String = "50,75,85,95"
        @Option(help: "Percent at which the provider's breaker opens.") var breaker: Int = 95

        func run() throws {
            let limit: CreditLimit
            do {
                guard let start = Timestamp.parseRFC3339(since) else { throw ValidationError("--since '\(since)' is not RFC 3339, e.g. 2026-11-01T00:00:00Z") }
                limit = try CreditLimit.validated(provider: provider, credit: try Nanodollars.parseUSD(credit, allowNegative: true),
                                                  since: start, tiers: try parseTiers(tiers), breakerPercent: breaker)
            } catch {
                throw ValidationError("\(error)")
            }
            let db = try CLIEnvironment.postgres()
            defer { db.close() }
            try Migrator.requireCurrent(db)
            try BudgetStore(db: db).upsert(limit)
            print("credit limit for \(limit.provider): $\(limit.credit.decimalString) since \(limit.since.rfc3339), breaker \(limit.breakerPercent) %")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List credit limits.")
        func run() throws {
            let db = try CLIEnvironment.postgres()
            defer { db.close() }
            let limits = try BudgetStore(db: db).creditLimits()
            if limits.isEmpty { print("no credit limits yet: see `costctl credits set --help`"); return }
            printTable(["provider", "credit", "since", "tiers", "breaker"], limits.map {
                [$0.provider, "$" + $0.credit.decimalString, $0.since.rfc3339, $0.tiers.map(String.init).joined(separator: ","), "\($0.breakerPercent) %"]
            })
        }
    }
}
