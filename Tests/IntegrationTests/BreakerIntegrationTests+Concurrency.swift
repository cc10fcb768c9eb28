import AMQPClient
import CostCore
import Foundation
import Testing

/// Two breaker workers applying signals to the same breakers at once: the compare-and-set on
/// `version` must lose no update and apply none twice.
extension BreakerIntegrationTests {
    @Test("Two workers, 200 mixed signals for 10 scopes published concurrently: per scope, version == transitions recorded, one per version, chained, final state matches")
    func twoWorkersLoseNoUpdate() async throws {
        let stage = try BreakerStage()
        defer { stage.tearDown() }
        let first = try await stage.startWorker("breaker-e1")
        let second = try await stage.startWorker("breaker-e2")
        let suffix = IntegrationEnvironment.uniqueSuffix().prefix(8)
        let scopes: [BreakerScope] = (0..<10).map { i in i % 2 == 0 ? .agent("agent-e\(i)-\(suffix)") : .provider("e\(i)\(suffix)") }
        let signals = Self.mixedSignals(scopes: scopes, count: 200)

        // Four publishers at once, each with its own connection.
        let started = ContinuousClock.now
        let shares = (0..<4).map { part in stride(from: part, to: signals.count, by: 4).map { signals[$0] } }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for share in shares {
                group.addTask {
                    let c = try AMQPConnection(config: try ScratchQueues.adminConfig())
                    defer { c.close() }
                    try c.enableConfirms()
                    for body in share {
                        try c.publish(exchange: "cost.signals", routingKey: "it-breaker.signal",
                                      body: Array(body.serialized().utf8))
                    }
                    try c.waitForConfirms(timeout: .seconds(30))
                }
            }
            try await group.waitForAll()
        }

        // Done when the queue is empty and the record has stopped growing.
        let queues = try ScratchQueues()
        defer { queues.delete() }
        var lastTotal = -1
        var stableSince = ContinuousClock.now
        try await Waiting.until("both workers to finish the 200 signals", timeout: .seconds(60),
                                interval: .milliseconds(100), diagnostics: { stage.diagnostics }) {
            let ready = try queues.readyCount(BreakerStage.signalsQueue)
            let total = try stage.db.count("SELECT count(*) FROM breaker_events")
            if total != lastTotal || ready > 0 {
                lastTotal = total
                stableSince = ContinuousClock.now
            }
            return (ready == 0 && ContinuousClock.now - stableSince >= .seconds(2), "\(ready) ready, \(total) transitions")
        }
        print("breaker: 2 workers applied 200 signals for 10 scopes → \(lastTotal) transitions in \(ContinuousClock.now - started) (incl. 2 s quiet wait)")

        var workersSeen: Set<String> = []
        for scope in scopes {
            let rows = try stage.transitions(scope)
            let state = try stage.redis.state(scope)
            workersSeen.formUnion(rows.map(\.worker))
            #expect(!rows.isEmpty, "\(scope) got trips, so it has transitions")
            #expect(state.version == Int64(rows.count), "\(scope): version \(state.version) but \(rows.count) transitions: \(rows)")
            #expect(rows.map(\.version) == (0..<Int64(rows.count)).map { $0 + 1 },
                    "\(scope): one transition per version, none lost or doubled: \(rows.map(\.version))")
            var phase = "closed"
            for row in rows {
                #expect(row.from == phase, "\(scope) v\(row.version) starts from \(row.from), but v\(row.version - 1) ended \(phase)")
                phase = row.to
            }
            #expect(state.phase.rawValue == rows.last?.to && state.reason == rows.last?.reason,
                    "\(scope): the hash (\(state.phase.rawValue), \(state.reason)) is what the last transition recorded: \(rows.last.map(String.init(describing:)) ?? "-")")
        }
        #expect(workersSeen == [first.name, second.name], "both workers applied changes: \(workersSeen)")
        #expect(first.isRunning && second.isRunning, "\(stage.diagnostics)")
        await stage.stopWorkers()
    }

    /// `count` signals spread over `scopes`: trips of every kind and clearances of those
    /// reasons, in a fixed pseudo-random order.
    static func mixedSignals(scopes: [BreakerScope], count: Int) -> [JSONValue] {
        let periodEnd = TestEvents.now().utcDayStart.adding(seconds: 86_400).millisecondsSinceEpoch
        let kinds: [(signal: String, source: String, reason: String)] = [
            ("open_breaker", "anomaly", "cost_spike"), ("open_breaker", "anomaly", "rate_violation"),
            ("open_breaker", "anomaly", "risk_critical"), ("open_breaker", "budget", "daily_budget_90pct"),
            ("open_breaker", "credit", "provider_credits_95pct"),
            ("condition_cleared", "anomaly", "cost_spike"), ("condition_cleared", "anomaly", "rate_violation"),
            ("condition_cleared", "anomaly", "risk_critical"), ("condition_cleared", "budget", "daily_budget_90pct"),
            ("condition_cleared", "credit", "provider_credits_95pct"),
        ]
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(bound))
        }
        return (0..<count).map { i in
            let scope = scopes[i % scopes.count]
            let kind = kinds[next(kinds.count)]
            var members: [(String, JSONValue)] = [
                ("schema", .string("cost.signal.v1")), ("signal", .string(kind.signal)), ("scope", .string(scope.text)),
                ("reason", .string(kind.reason)), ("source", .string(kind.source)), ("seq", .number(String(i))),
            ]
            if kind.source == "budget" { members.append(("period_end_ms", .number(String(periodEnd)))) }
            return .object(members)
        }
    }
}
