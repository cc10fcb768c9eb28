import AMQPClient
import CostCore
import Foundation
import Testing

/// Commands the breaker worker must refuse: each leaves the breaker as it was and lands in
/// `audit_log` as refused with its specific reason. And the broker itself keeps agents off
/// `cost.control`.
extension BreakerIntegrationTests {
    /// A stage trusting `alice` (every action, EMERGENCY_OVERRIDE only) with one worker.
    private func refusalStage(_ name: String) async throws -> (BreakerStage, BreakerSigningKey, BreakerScope) {
        let stage = try BreakerStage()
        let alice = BreakerSigningKey(keyID: "alice-it", codes: [.emergency])
        try stage.trust([alice])
        try await stage.startWorker(name)
        return (stage, alice, .agent("agent-d-\(IntegrationEnvironment.uniqueSuffix())"))
    }

    /// Sends `command` (signed by `key`), waits for its audit row and checks it was refused
    /// for `reason` and that the scope's breaker did not change.
    private func expectRefused(
        _ stage: BreakerStage, _ command: ControlCommand, signedBy key: BreakerSigningKey, reason: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let before = try stage.redis.fields(command.scope)
        let eventsBefore = try stage.transitions(command.scope)
        try stage.send(command, signedBy: key)
        let rows = try await stage.waitForAudit(command.commandID)
        #expect(rows.count == 1, "one audit row per command: \(rows)", sourceLocation: sourceLocation)
        #expect(rows.first?.outcome == "refused" && rows.first?.reason == reason,
                "expected refused (\(reason)): \(rows)", sourceLocation: sourceLocation)
        #expect(rows.first?.action == command.action.rawValue && rows.first?.scope == command.scope.text
                && rows.first?.keyID == command.keyID, "\(rows)", sourceLocation: sourceLocation)
        // Give a wrongly applied change time to show, then compare.
        try await Task.sleep(for: .milliseconds(300))
        #expect(try stage.redis.fields(command.scope) == before, "the breaker must not change", sourceLocation: sourceLocation)
        #expect(try stage.transitions(command.scope) == eventsBefore, "no transition recorded", sourceLocation: sourceLocation)
    }

    /// Opens the scope with a valid signed trip, so that a refused override visibly changes nothing.
    private func tripFirst(_ stage: BreakerStage, _ key: BreakerSigningKey, _ scope: BreakerScope) async throws {
        let trip = key.command(.trip, scope: scope, reason: "setup trip")
        try stage.send(trip, signedBy: key)
        let rows = try await stage.waitForAudit(trip.commandID)
        try #require(rows.map(\.outcome) == ["applied"], "the setup trip should apply: \(rows)\n\(stage.diagnostics)")
        #expect(try stage.redis.state(scope).phase == .open)
    }

    /// The tripped agent's gate still denies: no override took effect.
    private func expectStillDenied(_ stage: BreakerStage, _ scope: BreakerScope,
                                   sourceLocation: SourceLocation = #_sourceLocation) throws {
        guard case .agent(let agent) = scope else { return }
        let d = try stage.redis.decide(agent: agent, provider: "openai")
        #expect(d == .denied(scope: scope.text, reason: "manual", retryAtMs: 0), "\(d)", sourceLocation: sourceLocation)
        #expect(try stage.redis.state(scope).overrideUntilMs == 0, sourceLocation: sourceLocation)
    }

    @Test("Refused: forged signature (another key under a trusted key_id) → bad_signature, breaker unchanged")
    func refusesForgedSignature() async throws {
        let (stage, alice, scope) = try await refusalStage("breaker-d1")
        defer { stage.tearDown() }
        let forger = BreakerSigningKey(keyID: alice.keyID)
        try await expectRefused(stage, forger.command(.trip, scope: scope), signedBy: forger, reason: "bad_signature")
        #expect(try !stage.redis.exists(scope))
        #expect(try stage.redis.decide(agent: "agent-z", provider: "openai") == .allowed)
        await stage.stopWorkers()
    }

    @Test("Refused: key_id not in the keys file → unknown_key, breaker unchanged")
    func refusesUnknownKey() async throws {
        let (stage, _, scope) = try await refusalStage("breaker-d2")
        defer { stage.tearDown() }
        let mallory = BreakerSigningKey(keyID: "mallory-it")
        try await expectRefused(stage, mallory.command(.trip, scope: scope), signedBy: mallory, reason: "unknown_key")
        #expect(try !stage.redis.exists(scope))
        await stage.stopWorkers()
    }

    @Test("Refused: the same signed bytes sent again → replayed; a replayed trip does not re-open a reset breaker")
    func refusesReplay() async throws {
        let (stage, alice, scope) = try await refusalStage("breaker-d3")
        defer { stage.tearDown() }
        let trip = alice.command(.trip, scope: scope, reason: "replay me")
        let signed = try alice.signed(trip)
        try BreakerStage.publishCommand(body: signed.body, signature: signed.signature, messageID: trip.commandID)
        #expect(try await stage.waitForAudit(trip.commandID).map(\.outcome) == ["applied"])
        let reset = alice.command(.reset, scope: scope, reason: "undo")
        try stage.send(reset, signedBy: alice)
        #expect(try await stage.waitForAudit(reset.commandID).map(\.outcome) == ["applied"])
        let before = try stage.redis.state(scope)
        #expect(before.phase == .closed && before.version == 2, "\(before)")

        try BreakerStage.publishCommand(body: signed.body, signature: signed.signature, messageID: trip.commandID)
        let rows = try await stage.waitForAudit(trip.commandID, count: 2)
        #expect(rows.map { "\($0.outcome) \($0.reason)" } == ["applied applied", "refused replayed"], "\(rows)")
        try await Task.sleep(for: .milliseconds(300))
        #expect(try stage.redis.state(scope) == before, "the replayed trip must not re-open the breaker")
        #expect(try stage.transitions(scope).count == 2)
        await stage.stopWorkers()
    }

    @Test("Refused: issued_at 6 minutes ago (outside ±5 min) → clock_skew, breaker unchanged")
    func refusesStaleCommand() async throws {
        let (stage, alice, scope) = try await refusalStage("breaker-d4")
        defer { stage.tearDown() }
        let stale = alice.command(.trip, scope: scope,
                                  issuedAt: Timestamp(millisecondsSinceEpoch: BreakerClock.nowMs() - 6 * 60_000))
        try await expectRefused(stage, stale, signedBy: alice, reason: "clock_skew")
        #expect(try !stage.redis.exists(scope))
        await stage.stopWorkers()
    }

    @Test("Refused: override longer than its code's maximum (EMERGENCY_OVERRIDE, 61 > 60 min) → duration_exceeds_maximum")
    func refusesOverlongOverride() async throws {
        let (stage, alice, scope) = try await refusalStage("breaker-d5")
        defer { stage.tearDown() }
        try await tripFirst(stage, alice, scope)
        let long = alice.command(.override, scope: scope, code: .emergency, minutes: 61)
        try await expectRefused(stage, long, signedBy: alice, reason: "duration_exceeds_maximum")
        try expectStillDenied(stage, scope)
        await stage.stopWorkers()
    }

    @Test("Refused: override under a code the key may not use (ADMIN_OVERRIDE) → code_not_allowed")
    func refusesCodeNotAllowed() async throws {
        let (stage, alice, scope) = try await refusalStage("breaker-d6")
        defer { stage.tearDown() }
        try await tripFirst(stage, alice, scope)
        let command = alice.command(.override, scope: scope, code: .admin, minutes: 5)
        try await expectRefused(stage, command, signedBy: alice, reason: "code_not_allowed")
        try expectStillDenied(stage, scope)
        await stage.stopWorkers()
    }

    @Test("Agent credentials cannot publish to cost.control: the broker refuses (access refused)")
    func agentCannotPublishCommands() async throws {
        let stage = try BreakerStage()
        defer { stage.tearDown() }
        let key = BreakerSigningKey(keyID: "agent-stolen-key")
        try stage.trust([key])
        let command = key.command(.reset, scope: .global)
        let signed = try key.signed(command)
        let agentURL = try IntegrationEnvironment.agentAMQPURL()
        var refusal: AMQPError?
        do {
            try BreakerStage.publishCommand(body: signed.body, signature: signed.signature, messageID: command.commandID,
                                            amqpURL: agentURL)
        } catch let error as AMQPError {
            refusal = error
        }
        #expect(refusal?.kind == .accessRefused, "the broker should refuse the agent user: \(String(describing: refusal))")
        #expect(refusal.map { !$0.description.contains(IntegrationEnvironment.password(in: agentURL) ?? "\u{0}") } ?? true,
                "no password in the error")
        let queues = try ScratchQueues()
        defer { queues.delete() }
        #expect(try queues.readyCount(BreakerStage.controlQueue) == 0, "nothing reached cost.control")
    }
}
