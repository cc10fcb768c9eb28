import CostCore
import Foundation
import Testing

extension BudgetIntegration {
    /// Alerts follow the budget as it is now: a raised limit is picked up by running workers,
    /// and alerts reach webhooks, signed, retried until the endpoint takes them.
    @Suite(.serialized, .timeLimit(.minutes(4)))
    struct BudgetAlertTests {
        @Test("A limit raised 10× while running: no new tier alert until spend reaches the new limit's next tier")
        func limitRaisedWhileRunning() async throws {
            let stage = try BudgetStage(redisDatabase: 4)
            defer { stage.tearDown() }
            let suffix = IntegrationEnvironment.uniqueSuffix()
            let events = BudgetEventBatch(stage: stage, agent: "agent-raise-\(suffix)")
            let unit = stage.cost(events.make(1)[0])
            let id = "raise-\(suffix)"
            let budget = try BudgetDefinition.validated(id: id, scope: .agent(events.agent), periodKind: .day,
                                                        limit: Nanodollars(unit.value * 100))
            try stage.set(budget)
            let key = budget.counterKey(for: try budget.period(containing: events.time)).spend
            let period = try budget.period(containing: events.time).key
            let worker = try stage.startBudgetWorker("budget-bt3")
            func tiers() throws -> [Int] {
                try stage.alertRows(kinds: ["budget_tier", "budget_breaker"]).keys.compactMap { Int($0.split(separator: "|").last ?? "") }.sorted()
            }
            func spend(_ count: Int, _ what: String) async throws {
                let before = try stage.redis.counter(key) ?? .zero
                try stage.publish(events.make(count))
                try await Waiting.until(what, timeout: .seconds(30), diagnostics: { stage.diagnostics }) {
                    let value = try stage.redis.counter(key) ?? .zero
                    return (value == before + Nanodollars(unit.value * Int64(count)), "\(key) = \(value.decimalString)")
                }
            }

            try await spend(80, "spend at 80 % of the limit")
            try await Waiting.until("tiers 50 and 75", timeout: .seconds(15), diagnostics: { stage.diagnostics }) {
                let fired = try tiers()
                return (fired == [50, 75], "tiers fired: \(fired)")
            }

            let raised = try stage.costctl(["budget", "set", id, "--scope", "agent:\(events.agent)", "--period", "day",
                                            "--limit", Nanodollars(unit.value * 1_000).decimalString])
            #expect(raised.status == 0, "\(raised.combined)")
            #expect(raised.standardOutput.contains("updated budget \(id)"), "\(raised.combined)")
            // Workers re-read budgets every 3 s, checked between batches every 2 s: within 5 s.
            try await Task.sleep(for: .seconds(6))

            try await spend(400, "spend at 48 % of the raised limit")
            try await Waiting.stays("tiers fired", at: [50, 75], for: .seconds(3)) { try tiers() }

            try await spend(380, "spend at 86 % of the raised limit")
            try await Waiting.until("tier 85 of the raised limit", timeout: .seconds(15), diagnostics: { stage.diagnostics }) {
                let fired = try tiers()
                return (fired == [50, 75, 85], "tiers fired: \(fired)")
            }
            let row = try stage.db.query("SELECT spend_usd::text, limit_usd::text FROM cost_alerts WHERE kind = 'budget_tier' AND tier = 85 AND subject = $1 AND period_key = $2", [id, period]).rows
            #expect(row.first?[1] == Nanodollars(unit.value * 1_000).decimalString, "tier 85 measures against the raised limit")
            #expect(row.first?[0] == Nanodollars(unit.value * 860).decimalString, "tier 85 records the spend that reached it")
            _ = worker
            await stage.stopWorkers()
        }

        @Test("Webhook: answered 500 then 200, the alert is delivered twice with a valid HMAC-SHA256 signature and recorded as delivered after 2 attempts")
        func webhookRetriedAndSigned() async throws {
            let stage = try BudgetStage(redisDatabase: 5)
            defer { stage.tearDown() }
            let receiver = try BudgetWebhookReceiver(answers: [500, 200])
            defer { receiver.stop() }
            let suffix = IntegrationEnvironment.uniqueSuffix()
            let secret = "whsec-\(suffix)-0123456789abcdef"
            let added = try stage.costctl(["alerts", "webhook-add", "team-\(suffix)", "--url", receiver.url, "--secret", secret,
                                           "--kinds", "budget_tier"])
            #expect(added.status == 0, "\(added.combined)")
            #expect(!added.combined.contains(secret), "costctl must not print the webhook secret")

            let events = BudgetEventBatch(stage: stage, agent: "agent-hook-\(suffix)")
            let unit = stage.cost(events.make(1)[0])
            let id = "hook-\(suffix)"
            try stage.set(try BudgetDefinition.validated(id: id, scope: .agent(events.agent), periodKind: .day,
                                                         limit: Nanodollars(unit.value * 100)))
            try stage.startBudgetWorker("budget-bt5")
            try stage.publish(events.make(55))

            try await Waiting.until("two deliveries (500, then the retry answered 200)", timeout: .seconds(40),
                                    diagnostics: { stage.diagnostics }) {
                let got = receiver.requests
                return (got.count >= 2, "\(got.count) request(s): \(got.map(\.answered))")
            }
            try await Waiting.stays("requests received", at: 2, for: .seconds(3)) { receiver.requests.count }
            let requests = receiver.requests
            try #require(requests.count == 2)
            #expect(requests.map(\.answered) == [500, 200])
            #expect(requests[1].at - requests[0].at >= .milliseconds(1_900), "the retry waits about 2 s, took \(requests[1].at - requests[0].at)")
            for r in requests {
                #expect(r.method == "POST")
                #expect(r.path == "/hooks/cost")
                #expect(r.headers["content-type"]?.hasPrefix("application/json") == true)
                let timestamp = try #require(r.headers["x-cost-timestamp"], "no X-Cost-Timestamp")
                let seconds = try #require(Int64(timestamp), "X-Cost-Timestamp \(timestamp) is not unix seconds")
                #expect(abs(seconds - TestEvents.now().secondsSinceEpoch) < 120, "X-Cost-Timestamp \(timestamp) is not now")
                let signature = try #require(r.headers["x-cost-signature"], "no X-Cost-Signature")
                let signed = Array((timestamp + ".").utf8) + r.body
                #expect(signature == "sha256=" + (try BudgetHMAC.sha256Hex(secret: secret, message: signed)),
                        "X-Cost-Signature must be sha256=hex(HMAC-SHA256(secret, \"<timestamp>.<body>\"))")
                #expect(signature != "sha256=" + (try BudgetHMAC.sha256Hex(secret: secret + "x", message: signed)))
                let body = try JSONParser.parse(r.body)
                #expect(body["kind"]?.stringValue == "budget_tier")
                #expect(body["subject"]?.stringValue == id)
                #expect(body["tier_percent"]?.numberText == "50")
                let text = body["text"]?.stringValue ?? ""
                #expect(text.contains(id) && text.contains("50 %"), "text for chat: \(text)")
            }
            #expect(requests[0].body == requests[1].body, "a retry sends the same alert")

            let delivery = try stage.db.query("""
                SELECT d.attempts::text, (d.delivered_at IS NOT NULL)::text, d.last_status::text
                FROM webhook_deliveries d JOIN cost_alerts a ON a.id = d.alert_id WHERE d.webhook_id = $1
                """, ["team-\(suffix)"]).rows
            #expect(delivery.count == 1, "one delivery row for the one budget_tier alert: \(delivery)")
            #expect(delivery.first == ["2", "true", "200"], "attempts, delivered, last status: \(delivery)")
            await stage.stopWorkers()
        }
    }
}

/// Identical events of one agent at one instant (gpt-4o-mini, 100,000 input tokens each:
/// $0.015), so that spend moves in known steps and stays in one period.
struct BudgetEventBatch {
    let stage: BudgetStage
    let agent: String
    let time: Timestamp
    private let counter = EventCounter()

    init(stage: BudgetStage, agent: String) {
        self.stage = stage
        self.agent = agent
        let now = TestEvents.now()
        // Stay inside today (UTC) so that daily budgets see one period.
        time = max(now.adding(seconds: -30), now.utcDayStart)
    }

    func make(_ count: Int) -> [UsageEvent] {
        (0..<count).map { _ in
            UsageEvent(eventID: "\(agent)-\(counter.next())", occurredAt: time, sessionID: "s-\(agent)", agentID: agent,
                       provider: "openai", model: "gpt-4o-mini", inputTokens: 100_000, outputTokens: 0)
        }
    }

    final class EventCounter: @unchecked Sendable {
        // Used by one test task only.
        private var value = 0
        func next() -> Int { value += 1; return value }
    }
}
