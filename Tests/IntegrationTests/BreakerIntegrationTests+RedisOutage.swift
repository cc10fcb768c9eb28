import AMQPClient
import CostCore
import Foundation
import Testing

extension BreakerIntegrationTests {
    @Test("Redis killed (kill -9) while signals and a signed command arrive: the worker survives and retries, and once Redis is back every breaker opens and the command is applied once")
    func redisRestart() async throws {
        let stage = try BreakerStage()
        defer { stage.tearDown() }
        defer { RedisServerControl.ensureRunning(url: stage.redis.url) }
        let admin = try AMQPConnection(config: ScratchQueues.adminConfig())
        defer { admin.close() }
        try admin.purgeQueue("cost.dlq.breaker")
        let alice = BreakerSigningKey(keyID: "alice-it")
        try stage.trust([alice])
        let worker = try await stage.startWorker("breaker-redis")

        try RedisServerControl.kill9()
        try await Waiting.until("Redis gone", timeout: .seconds(10)) {
            (!RedisServerControl.isRunning(url: stage.redis.url), "still answering")
        }
        // Arrive while Redis is away: they must stay unacked, not be dropped or refused.
        let suffix = IntegrationEnvironment.uniqueSuffix()
        let providers = (0..<3).map { BreakerScope.provider("rk\($0)\(suffix.prefix(8))") }
        try stage.publishSignals(providers.map(Self.tripSignal))
        let agent = BreakerScope.agent("agent-rk-\(suffix)")
        let trip = alice.command(.trip, scope: agent)
        try stage.send(trip, signedBy: alice)
        let outageStarted = ContinuousClock.now
        while ContinuousClock.now - outageStarted < .seconds(5) {
            try await Task.sleep(for: .seconds(1))
            #expect(worker.isRunning, "the worker must survive Redis going away\n\(worker.logTail)")
        }
        #expect(worker.log.contains("will retry"), "the worker should say it retries while Redis is away\n\(worker.logTail)")
        #expect(try stage.audit(commandID: trip.commandID).isEmpty, "nothing can be applied or refused while Redis is away")

        let start = try RedisServerControl.start()
        try #require(start.status == 0, "ops/servers up failed: \(start.combined)")
        stage.redis.close()  // its connection died with the server
        try await Waiting.until("the signals to open their breakers once Redis is back", timeout: .seconds(30),
                                diagnostics: { stage.diagnostics }) {
            let phases = try providers.map { try stage.redis.state($0).phase }
            return (phases.allSatisfy { $0 == .open }, "\(phases.map(\.rawValue))")
        }
        #expect(try await stage.waitForAudit(trip.commandID).map(\.reason) == ["applied"])
        #expect(try stage.redis.state(agent).phase == .open)
        // Applied once: no second audit row turns up, and the breaker made the one transition.
        try await Task.sleep(for: .seconds(2))
        #expect(try stage.audit(commandID: trip.commandID).count == 1)
        for scope in [agent] + providers {
            let transitions = try stage.transitions(scope)
            #expect(transitions.map(\.to) == ["open"], "\(scope.text): \(transitions)")
        }
        #expect(try admin.declareQueue("cost.dlq.breaker", passive: true).messageCount == 0, "nothing dead-lettered")
        #expect(worker.isRunning)
        await stage.stopWorkers()
    }
}
