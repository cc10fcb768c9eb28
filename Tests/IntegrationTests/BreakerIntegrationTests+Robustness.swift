import AMQPClient
import CostCore
import Foundation
import Testing

/// The breaker keeps working through what operators and other writers do to its inputs:
/// keys revoked or mistyped in the keys file it re-reads, a damaged hash in Redis.
extension BreakerIntegrationTests {
    /// A budget-style trip signal for `scope` (held until reset: no period end).
    static func tripSignal(_ scope: BreakerScope) -> JSONValue {
        .object([("schema", .string("cost.signal.v1")), ("signal", .string("open_breaker")), ("scope", .string(scope.text)),
                 ("reason", .string("provider_credits_95pct")), ("source", .string("credit"))])
    }

    @Test("A key removed from the keys file while the worker runs is refused from then on (unknown_key)")
    func revokedKeyIsRefused() async throws {
        let stage = try BreakerStage()
        defer { stage.tearDown() }
        let alice = BreakerSigningKey(keyID: "alice-it")
        let bob = BreakerSigningKey(keyID: "bob-it")
        try stage.trust([alice, bob])
        try await stage.startWorker("breaker-r1")
        let scope = BreakerScope.agent("agent-r1-\(IntegrationEnvironment.uniqueSuffix())")
        let trip = alice.command(.trip, scope: scope)
        try stage.send(trip, signedBy: alice)
        #expect(try await stage.waitForAudit(trip.commandID).map(\.reason) == ["applied"])

        try stage.trust([bob])
        let reset = alice.command(.reset, scope: scope)
        try stage.send(reset, signedBy: alice)
        #expect(try await stage.waitForAudit(reset.commandID).map { "\($0.outcome) \($0.reason)" } == ["refused unknown_key"])
        #expect(try stage.redis.state(scope).phase == .open, "the revoked key's reset must not close the breaker")
        let bobReset = bob.command(.reset, scope: scope)
        try stage.send(bobReset, signedBy: bob)
        #expect(try await stage.waitForAudit(bobReset.commandID).map(\.reason) == ["applied"])
        #expect(try stage.redis.state(scope).phase == .closed)
        await stage.stopWorkers()
    }

    @Test("A mistyped keys file does not stop the breaker: commands are refused and audited, signals still trip")
    func brokenKeysFileKeepsBreakerRunning() async throws {
        let stage = try BreakerStage()
        defer { stage.tearDown() }
        let alice = BreakerSigningKey(keyID: "alice-it")
        try stage.trust([alice])
        let worker = try await stage.startWorker("breaker-r2")
        // An operator's typo: a trailing comma. The worker re-reads the file when it changes.
        try Data(#"{"schema": "cost.keys.v1", "keys": [],}"#.utf8).write(to: stage.keysFile)
        let scope = BreakerScope.agent("agent-r2-\(IntegrationEnvironment.uniqueSuffix())")
        let trip = alice.command(.trip, scope: scope)
        try stage.send(trip, signedBy: alice)
        let other = BreakerScope.provider("r2\(IntegrationEnvironment.uniqueSuffix().prefix(8))")
        try stage.publishSignals([Self.tripSignal(other)])

        try await Waiting.until("the credit signal to open \(other.text)", timeout: .seconds(10),
                                diagnostics: { stage.diagnostics }) {
            let s = try stage.redis.state(other)
            // Stop waiting as soon as the worker is gone: the expectations below say why.
            return (s.phase == .open || !worker.isRunning, "\(s.phase.rawValue); worker running: \(worker.isRunning)")
        }
        #expect(try stage.redis.state(other).phase == .open, "the signal must still trip the breaker\n\(worker.logTail)")
        if worker.isRunning {
            // Refused (fail safe) or applied with the last good keys: either way audited once.
            let rows = try await stage.waitForAudit(trip.commandID, timeout: .seconds(5))
            #expect(rows.count == 1, "the command is audited while the keys file is unreadable: \(rows)")
        }
        #expect(worker.isRunning, "the worker must keep running\n\(worker.logTail)")
        await stage.stopWorkers()
    }

    @Test("A damaged breaker hash in Redis does not stop the worker: other scopes still trip")
    func damagedHashKeepsBreakerRunning() async throws {
        let stage = try BreakerStage()
        defer { stage.tearDown() }
        let worker = try await stage.startWorker("breaker-r3")
        let damaged = BreakerScope.agent("agent-r3-damaged-\(IntegrationEnvironment.uniqueSuffix())")
        try stage.redis.command(["HSET", damaged.redisKey, "state", "opne", "version", "3"])
        // The once-a-second tick reads every breaker hash, the damaged one included.
        try await Task.sleep(for: .milliseconds(2_500))
        let healthy = BreakerScope.provider("r3\(IntegrationEnvironment.uniqueSuffix().prefix(8))")
        try stage.publishSignals([Self.tripSignal(healthy)])
        try await Waiting.until("the credit signal to open \(healthy.text)", timeout: .seconds(10),
                                diagnostics: { stage.diagnostics }) {
            let s = try stage.redis.state(healthy)
            // Stop waiting as soon as the worker is gone: the expectations below say why.
            return (s.phase == .open || !worker.isRunning, "\(s.phase.rawValue); worker running: \(worker.isRunning)")
        }
        #expect(try stage.redis.state(healthy).phase == .open, "the signal must still trip the breaker\n\(worker.logTail)")
        #expect(worker.isRunning, "the worker must keep running\n\(worker.logTail)")
        await stage.stopWorkers()
    }

    @Test("A command that could not be applied (damaged hash) is refused, audited and dead-lettered; after the repair, `costctl dlq replay --kind breaker` applies it — its id was not burned")
    func failedCommandIsNotRefusedAsReplay() async throws {
        let stage = try BreakerStage()
        defer { stage.tearDown() }
        let admin = try AMQPConnection(config: ScratchQueues.adminConfig())
        defer { admin.close() }
        try admin.purgeQueue("cost.dlq.breaker")
        let alice = BreakerSigningKey(keyID: "alice-it")
        try stage.trust([alice])
        let scope = BreakerScope.agent("agent-r4-\(IntegrationEnvironment.uniqueSuffix())")
        try stage.redis.command(["HSET", scope.redisKey, "state", "opne"])
        let trip = alice.command(.trip, scope: scope, reason: "emergency stop")
        let worker = try await stage.startWorker("breaker-r4")
        try stage.send(trip, signedBy: alice)
        let refused = try await stage.waitForAudit(trip.commandID, timeout: .seconds(15))
        #expect(refused.map { "\($0.outcome) \($0.reason)" } == ["refused unreadable_state"], "\(refused)\n\(worker.logTail)")
        try await Waiting.until("the command in cost.dlq.breaker", timeout: .seconds(10), diagnostics: { stage.diagnostics }) {
            let n = try admin.declareQueue("cost.dlq.breaker", passive: true).messageCount
            return (n == 1, "\(n) dead letters")
        }
        #expect(worker.isRunning, "the worker must keep running\n\(worker.logTail)")

        // The operator repairs the hash and replays the dead letter.
        try stage.redis.command(["DEL", scope.redisKey])
        let replay = try stage.costctl(["dlq", "replay", "--kind", "breaker"])
        #expect(replay.status == 0, "\(replay.combined)")
        let rows = try await stage.waitForAudit(trip.commandID, count: 2, timeout: .seconds(15))
        #expect(rows.map { "\($0.outcome) \($0.reason)" }.sorted() == ["applied applied", "refused unreadable_state"],
                "the command was never applied, so it is no replay: \(rows)\n\(worker.logTail)")
        #expect(try stage.redis.state(scope).phase == .open, "the emergency trip must take effect")
        await stage.stopWorkers()
    }
}
