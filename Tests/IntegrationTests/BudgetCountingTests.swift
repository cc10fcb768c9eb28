import CostCore
import Foundation
import Testing

extension BudgetIntegration {
    /// The counters are exact: however events are redelivered, whichever instance counts
    /// them, whether an instance dies mid-batch or Redis loses its data, each counter ends at
    /// the sum PostgreSQL recorded for its scope and period, to the nanodollar.
    @Suite(.serialized, .timeLimit(.minutes(8)))
    struct BudgetCountingTests {
        @Test("4 budget workers, 5 % redeliveries, one killed with -9 mid-stream: every counter equals PostgreSQL's sum to the nanodollar, every tier alert fires once")
        func fourInstancesOneKilled() async throws {
            let stage = try BudgetStage(redisDatabase: 1, withPersist: true)
            defer { stage.tearDown() }
            let suffix = IntegrationEnvironment.uniqueSuffix()
            let events = TestEvents.fleet(count: 20_000, runID: "bt1-\(suffix)", seed: 21)
            let first = try #require(events.first)
            let sizer = BudgetSizer(events: events, cost: stage.cost)

            // Five budgets of every scope form and three zones, sized so that the final spend
            // sits at a chosen utilization, and a credit limit.
            let budgets = [
                try sizer.budget("all-day-\(suffix)", .global, .day, "UTC", percent: 96),
                try sizer.budget("openai-month-\(suffix)", .provider("openai"), .month, "UTC", percent: 80),
                try sizer.budget("team1-day-\(suffix)", .tag(key: "team", value: "team-1"), .day, "Europe/Berlin", percent: 60),
                try sizer.budget("agent3-day-\(suffix)", .agent("agent-3"), .day, "America/New_York", percent: 120),
                try sizer.budget("session-month-\(suffix)", .session(first.sessionID), .month, "Asia/Kolkata", percent: 45,
                                 tiers: [10, 20, 30, 40, 50]),
            ]
            let since = Timestamp(secondsSinceEpoch: first.occurredAt.secondsSinceEpoch - 3_600)
            let anthropic = try sizer.total { $0.provider == "anthropic" }
            let credit = try CreditLimit.validated(provider: "anthropic", credit: Nanodollars(anthropic.value * 100 / 88), since: since)
            for b in budgets { try stage.set(b) }
            try stage.set(credit)
            let ledger = try BudgetLedger(budgets: budgets, credits: [credit], events: events, cost: stage.cost)
            #expect(ledger.counters.count >= 6, "every budget and the credit should be moved by some event")

            var messages = TestEvents.messages(events) + TestEvents.duplicates(of: events, count: 1_000)
            messages.shuffle()
            try stage.publish(messages)

            let workers = try await startWorkers(stage, run: "bt1", budgetWorkers: 4, untilKeys: 5_000)
            workers[1].kill9()
            #expect(workers[1].diedOfSignal)
            let globalKey = try #require(ledger.sorted.first { $0.scope == .global }).key
            let atKill = try stage.redis.counter(globalKey) ?? .zero
            let globalTotal = ledger.sorted.filter { $0.scope == .global }.reduce(Nanodollars.zero) { $0 + $1.expected }
            #expect(atKill < globalTotal, "the kill should come mid-stream, but everything was counted already")

            try await expectCountersMatch(stage, ledger, stored: 20_000, timeout: .seconds(180), steady: .seconds(2),
                                          what: "every counter to equal PostgreSQL's sum")
            #expect(try stage.budgetQueues.readyCount(stage.budgetQueues.deadLetterQueue) == 0, "\(stage.budgetQueues.deadLetterSummary())")

            try await expectAlerts(stage, ledger)
            let signals = try stage.tap.collect().filter { $0.exchange == "cost.signals" }
            let global = try #require(signals.first { $0.subject == "all-day-\(suffix)" }, "no breaker signal for the global budget")
            #expect(global.routingKey == "breaker.budget")
            #expect(global.body["signal"]?.stringValue == "open_breaker")
            #expect(global.body["scope"]?.stringValue == "global")
            #expect(global.body["reason"]?.stringValue == "daily_budget_90pct")
            let agent = try #require(signals.first { $0.subject == "agent3-day-\(suffix)" }, "no breaker signal for the agent budget")
            #expect(agent.body["scope"]?.stringValue == "agent:agent-3")
            #expect(!signals.contains { $0.subject == "openai-month-\(suffix)" }, "80 % is below the 90 % breaker")
            await stage.stopWorkers()
        }

        @Test("Redis killed with -9 mid-stream and started again: the workers wait and retry, and every counter ends equal to PostgreSQL's sum to the nanodollar")
        func redisKilled() async throws {
            let stage = try BudgetStage(redisDatabase: 1, withPersist: true)
            defer { stage.tearDown() }
            defer { RedisServerControl.ensureRunning(url: stage.redis.url) }
            let suffix = IntegrationEnvironment.uniqueSuffix()
            let events = TestEvents.fleet(count: 12_000, runID: "bt5-\(suffix)", seed: 25)
            let sizer = BudgetSizer(events: events, cost: stage.cost)
            let budgets = [
                try sizer.budget("all-day-\(suffix)", .global, .day, "UTC", percent: 96),
                try sizer.budget("openai-month-\(suffix)", .provider("openai"), .month, "UTC", percent: 80),
                try sizer.budget("team1-day-\(suffix)", .tag(key: "team", value: "team-1"), .day, "Europe/Berlin", percent: 60),
            ]
            for b in budgets { try stage.set(b) }
            let ledger = try BudgetLedger(budgets: budgets, credits: [], events: events, cost: stage.cost)
            var messages = TestEvents.messages(events) + TestEvents.duplicates(of: events, count: 500)
            messages.shuffle()
            try stage.publish(messages)

            let workers = try await startWorkers(stage, run: "bt5", budgetWorkers: 2, untilKeys: 3_000)
            let globalKey = try #require(ledger.sorted.first { $0.scope == .global }).key
            let atKill = try stage.redis.counter(globalKey) ?? .zero
            try RedisServerControl.kill9()
            let globalTotal = ledger.sorted.filter { $0.scope == .global }.reduce(Nanodollars.zero) { $0 + $1.expected }
            #expect(atKill < globalTotal, "the kill should come mid-stream, but everything was counted already")
            try await Waiting.until("Redis gone", timeout: .seconds(10)) {
                (!RedisServerControl.isRunning(url: stage.redis.url), "still answering")
            }
            let outageStarted = ContinuousClock.now
            while ContinuousClock.now - outageStarted < .seconds(5) {
                try await Task.sleep(for: .seconds(1))
                for w in workers { #expect(w.isRunning, "a budget worker must survive Redis going away\n\(stage.diagnostics)") }
            }
            let start = try RedisServerControl.start()
            try #require(start.status == 0, "ops/servers up failed: \(start.combined)")

            try await expectCountersMatch(stage, ledger, stored: 12_000, timeout: .seconds(180), steady: .seconds(2),
                                          what: "every counter to equal PostgreSQL's sum")
            #expect(try stage.budgetQueues.readyCount(stage.budgetQueues.deadLetterQueue) == 0, "\(stage.budgetQueues.deadLetterSummary())")
            try await expectAlerts(stage, ledger)
            await stage.stopWorkers()
        }

        @Test("FLUSHDB mid-stream while the persist worker lags: the worker rebuilds from PostgreSQL and counts what PostgreSQL stores later; every counter ends equal to PostgreSQL's sum exactly")
        func redisLosesItsData() async throws {
            let stage = try BudgetStage(redisDatabase: 2, withPersist: true)
            defer { stage.tearDown() }
            let suffix = IntegrationEnvironment.uniqueSuffix()
            let events = TestEvents.fleet(count: 10_000, runID: "bt4-\(suffix)", seed: 5)
            let sizer = BudgetSizer(events: events, cost: stage.cost)
            let budgets = [
                try sizer.budget("all-day-\(suffix)", .global, .day, "UTC", percent: 80),
                try sizer.budget("anthropic-month-\(suffix)", .provider("anthropic"), .month, "Europe/Paris", percent: 70),
                try sizer.budget("team2-day-\(suffix)", .tag(key: "team", value: "team-2"), .day, "Asia/Tokyo", percent: 55),
            ]
            let first = try #require(events.first)
            let credit = try CreditLimit.validated(provider: "openai", credit: Nanodollars(1_000_000_000_000),
                                                   since: Timestamp(secondsSinceEpoch: first.occurredAt.secondsSinceEpoch - 60))
            for b in budgets { try stage.set(b) }
            try stage.set(credit)
            let ledger = try BudgetLedger(budgets: budgets, credits: [credit], events: events, cost: stage.cost)

            // The persist worker lags: the budget worker counts (and acks) the first 3,000
            // events before any of them reaches PostgreSQL. Then Redis loses everything.
            let early = Array(events.prefix(3_000)), rest = Array(events.dropFirst(3_000))
            let earlyLedger = try BudgetLedger(budgets: budgets, credits: [credit], events: early, cost: stage.cost)
            try stage.publish(early)
            let worker = try stage.startBudgetWorker("budget-bt4")
            try await Waiting.until("the budget worker to count the first 3,000 events", timeout: .seconds(60),
                                    diagnostics: { stage.diagnostics }) {
                let wrong = try earlyLedger.mismatches(stage.redis)
                return (wrong.isEmpty, wrong.joined(separator: "; "))
            }
            #expect(try stage.db.storedEvents() == 0)
            try stage.redis.flush()
            #expect(try !stage.redis.exists("cost:budget:ready"))

            // The stream goes on; the persist worker catches up with all 10,000.
            try stage.publish(rest)
            try stage.startPersistWorker("persist-bt4")
            try await Waiting.until("the counters rebuilt (cost:budget:ready back)", timeout: .seconds(30),
                                    diagnostics: { stage.diagnostics }) {
                (try stage.redis.exists("cost:budget:ready"), "ready marker missing")
            }

            try await expectCountersMatch(stage, ledger, stored: 10_000, timeout: .seconds(60), steady: .seconds(3),
                                          what: "every counter to equal PostgreSQL's sum after the rebuild")
            let rebuilds = worker.log.components(separatedBy: "rebuilt the budget counters from PostgreSQL").count - 1
            #expect(rebuilds >= 2, "one rebuild at start (empty Redis), one after the flush; the log shows \(rebuilds)\n\(worker.logTail)")
            try await expectAlerts(stage, ledger)
            await stage.stopWorkers()
        }

        /// Starts a persist worker and `budgetWorkers` budget workers, and waits until Redis holds
        /// `untilKeys` keys (counters and dedupe marks): the stream is under way.
        private func startWorkers(_ stage: BudgetStage, run: String, budgetWorkers: Int,
                                  untilKeys: Int) async throws -> [BudgetWorkerProcess] {
            try stage.startPersistWorker("persist-\(run)")
            let workers = try (1...budgetWorkers).map { try stage.startBudgetWorker("budget-\(run)-\($0)") }
            try await Waiting.until("the budget workers to count \(untilKeys) events", timeout: .seconds(90),
                                    interval: .milliseconds(10), diagnostics: { stage.diagnostics }) {
                let keys = try stage.redis.size()
                return (keys >= untilKeys, "\(keys) keys in Redis db \(stage.redis.database)")
            }
            return workers
        }

        /// Waits until PostgreSQL holds `stored` events and every counter equals its sum there,
        /// and checks they stay so for `steady` (no late double count).
        private func expectCountersMatch(_ stage: BudgetStage, _ ledger: BudgetLedger, stored expected: Int,
                                         timeout: Duration, steady: Duration, what: String) async throws {
            try await Waiting.until(what, timeout: timeout, interval: .milliseconds(500), diagnostics: { stage.diagnostics }) {
                let stored = try stage.db.storedEvents()
                let wrong = stored == expected ? try ledger.mismatches(stage.redis, db: stage.db) : ["persist stored \(stored)"]
                return (wrong.isEmpty, wrong.joined(separator: "; "))
            }
            try await Waiting.stays("counters that differ", at: [String](), for: steady) {
                try ledger.mismatches(stage.redis, db: stage.db)
            }
        }

        /// Every tier and breaker alert the final spend requires is in `cost_alerts` exactly
        /// once, none beyond them, each published on `cost.alerts`.
        private func expectAlerts(_ stage: BudgetStage, _ ledger: BudgetLedger) async throws {
            let expected = ledger.expectedAlerts
            let kinds: Set = ["budget_tier", "budget_breaker", "credit_tier", "credit_breaker"]
            try await Waiting.until("the tier and breaker alerts of the final spend", timeout: .seconds(30),
                                    diagnostics: { stage.diagnostics }) {
                let fired = try stage.alertRows(kinds: kinds)
                return (Set(fired.keys) == expected, "fired \(fired.keys.sorted()), expected \(expected.sorted())")
            }
            for (alert, count) in try stage.alertRows() {
                #expect(count == 1, "\(alert) is in cost_alerts \(count) times")
            }
            try await Waiting.until("every alert published on cost.alerts", timeout: .seconds(20), diagnostics: { stage.diagnostics }) {
                let unpublished = try stage.db.count("SELECT count(*) FROM cost_alerts WHERE published_at IS NULL")
                let seen = Set(try stage.tap.collect().filter { $0.exchange == "cost.alerts" }.map {
                    "\($0.body["kind"]?.stringValue ?? "")|\($0.subject)|\($0.body["period"]?.stringValue ?? "")|\($0.body["tier_percent"]?.numberText ?? "")"
                })
                let missing = expected.subtracting(seen)
                return (unpublished == 0 && missing.isEmpty, "\(unpublished) unpublished; not received: \(missing.sorted())")
            }
            for message in stage.tap.received where message.exchange == "cost.alerts" && kinds.contains(message.body["kind"]?.stringValue ?? "") {
                #expect(message.routingKey == "alert.\(message.body["kind"]?.stringValue ?? "")")
                #expect(message.body["text"]?.stringValue?.isEmpty == false, "an alert carries a text for chat webhooks")
            }
        }
    }
}

/// Sizes budgets so that the events' final spend lands at a chosen utilization.
struct BudgetSizer {
    let events: [UsageEvent]
    let cost: (UsageEvent) -> Nanodollars

    func total(_ matching: (UsageEvent) -> Bool) throws -> Nanodollars {
        let sum = events.filter(matching).reduce(Nanodollars.zero) { $0 + cost($1) }
        try #require(sum > .zero, "no event matches")
        return sum
    }

    /// A budget whose busiest period ends at `percent` % of its limit.
    func budget(_ id: String, _ scope: BudgetScope, _ kind: BudgetPeriodKind, _ zone: String, percent: Int,
                tiers: [Int] = BudgetPercent.defaultTiers) throws -> BudgetDefinition {
        let probe = try BudgetDefinition.validated(id: id, scope: scope, periodKind: kind, timeZone: zone, limit: Nanodollars(1))
        let top = try BudgetLedger(budgets: [probe], events: events, cost: cost).sorted.map(\.expected).max() ?? .zero
        try #require(top > .zero, "no event counts toward \(id)")
        return try BudgetDefinition.validated(id: id, scope: scope, periodKind: kind, timeZone: zone,
                                              limit: Nanodollars(top.value * 100 / Int64(percent)), tiers: tiers)
    }
}
