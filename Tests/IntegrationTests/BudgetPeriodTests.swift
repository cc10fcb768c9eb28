import CostCore
import Foundation
import Testing

extension BudgetIntegration {
    /// A budget's periods are calendar days in its own time zone, and an event counts toward
    /// the period of its occurred_at, however late it arrives.
    @Suite(.serialized, .timeLimit(.minutes(3)))
    struct BudgetPeriodTests {
        @Test("Local midnight in America/New_York splits the day (also on a 23-hour DST day); a late event counts toward yesterday")
        func midnightInNewYorkAndLateEvents() async throws {
            let stage = try BudgetStage(redisDatabase: 3)
            defer { stage.tearDown() }
            let suffix = IntegrationEnvironment.uniqueSuffix()
            let newYork = try BudgetDefinition.validated(id: "ny-day-\(suffix)", scope: .global, periodKind: .day,
                                                         timeZone: "America/New_York", limit: Nanodollars(1_000_000_000_000))
            let utc = try BudgetDefinition.validated(id: "utc-day-\(suffix)", scope: .global, periodKind: .day,
                                                     limit: Nanodollars(1_000_000_000_000))
            try stage.set(newYork)
            try stage.set(utc)
            let worker = try stage.startBudgetWorker("budget-bt2")

            // Local midnight two days ago, and each side of it; the microsecond before
            // midnight belongs to the old day.
            let now = TestEvents.now()
            let midnight = try newYork.period(containing: now.adding(seconds: -2 * 86_400)).start
            // The day daylight saving time began in 2026 lasts 23 hours: 05:00Z to 04:00Z.
            let dstStart = try #require(Timestamp.parseRFC3339("2026-03-08T05:00:00Z"))
            let dstEnd = try #require(Timestamp.parseRFC3339("2026-03-09T04:00:00Z"))
            var sequence = 0
            func event(at time: Timestamp, tokens: Int64) -> UsageEvent {
                sequence += 1
                return UsageEvent(eventID: "bt2-\(suffix)-\(sequence)", occurredAt: time, sessionID: "s-\(suffix)",
                                  agentID: "agent-bt2", provider: "openai", model: "gpt-4o-mini",
                                  inputTokens: tokens, outputTokens: 0)
            }
            let beforeMidnight = event(at: midnight.adding(microseconds: -1), tokens: 100_000)
            let atMidnight = event(at: midnight, tokens: 200_000)
            let dstEve = event(at: dstStart.adding(microseconds: -1), tokens: 300_000)
            let dstFirst = event(at: dstStart, tokens: 400_000)
            let dstLast = event(at: dstEnd.adding(microseconds: -1), tokens: 500_000)
            let dstNext = event(at: dstEnd, tokens: 600_000)
            let today = event(at: max(now.adding(seconds: -30), try newYork.period(containing: now).start), tokens: 700_000)
            let early = [beforeMidnight, atMidnight, dstEve, dstFirst, dstLast, dstNext, today]
            try stage.publish(early)
            let ledger = try BudgetLedger(budgets: [newYork, utc], events: early, cost: stage.cost)
            try await Waiting.until("the counters of every day", timeout: .seconds(30), diagnostics: { stage.diagnostics }) {
                let wrong = try ledger.mismatches(stage.redis)
                return (wrong.isEmpty, wrong.joined(separator: "; "))
            }

            // The keys name local dates, checked here with Foundation's own formatter.
            let local = DateFormatter()
            local.locale = Locale(identifier: "en_US_POSIX")
            local.timeZone = TimeZone(identifier: "America/New_York")
            local.dateFormat = "yyyy-MM-dd"
            func localDate(_ t: Timestamp) -> String {
                // Whole seconds, floored: a Double of microseconds would round 23:59:59.999999 up.
                let seconds = t.microsecondsSinceEpoch >= 0 ? t.microsecondsSinceEpoch / 1_000_000
                    : (t.microsecondsSinceEpoch - 999_999) / 1_000_000
                return local.string(from: Date(timeIntervalSince1970: Double(seconds)))
            }
            func nyKey(_ t: Timestamp) -> String { "cost:budget:{ny-day-\(suffix)}:\(localDate(t))" }
            #expect(localDate(beforeMidnight.occurredAt) != localDate(atMidnight.occurredAt))
            #expect(try stage.redis.counter(nyKey(beforeMidnight.occurredAt)) == stage.cost(beforeMidnight))
            #expect(try stage.redis.counter(nyKey(atMidnight.occurredAt)) == stage.cost(atMidnight))
            #expect(try stage.redis.counter("cost:budget:{ny-day-\(suffix)}:2026-03-07") == stage.cost(dstEve))
            #expect(try stage.redis.counter("cost:budget:{ny-day-\(suffix)}:2026-03-08") == stage.cost(dstFirst) + stage.cost(dstLast),
                    "the 23-hour day holds its first and last microsecond")
            #expect(try stage.redis.counter("cost:budget:{ny-day-\(suffix)}:2026-03-09") == stage.cost(dstNext))
            // 04:59:59.999999Z and 05:00:00Z are one UTC day.
            let utcDay = try utc.period(containing: midnight)
            #expect(try utc.period(containing: beforeMidnight.occurredAt) == utcDay)
            #expect(try stage.redis.counter("cost:budget:{utc-day-\(suffix)}:\(utcDay.key)") == stage.cost(beforeMidnight) + stage.cost(atMidnight))

            // A late event: it occurred yesterday (New York time) and arrives now.
            let todayKey = nyKey(today.occurredAt)
            let todayBefore = try stage.redis.counter(todayKey)
            let yesterdayTime = try newYork.period(containing: now).start.adding(seconds: -3_600)
            let late = event(at: yesterdayTime, tokens: 800_000)
            let yesterdayKey = nyKey(late.occurredAt)
            let yesterdayBefore = try stage.redis.counter(yesterdayKey) ?? .zero
            try stage.publish([late])
            try await Waiting.until("the late event counted toward yesterday", timeout: .seconds(30), diagnostics: { stage.diagnostics }) {
                let value = try stage.redis.counter(yesterdayKey)
                return (value == yesterdayBefore + stage.cost(late), "\(yesterdayKey) = \(value?.decimalString ?? "missing")")
            }
            #expect(yesterdayKey != todayKey)
            #expect(try stage.redis.counter(todayKey) == todayBefore, "today's counter must not move for yesterday's event")
            let all = try BudgetLedger(budgets: [newYork, utc], events: early + [late], cost: stage.cost)
            #expect(try all.mismatches(stage.redis).isEmpty)
            _ = worker
            await stage.stopWorkers()
        }
    }
}
