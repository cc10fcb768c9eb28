import CostCore
import Testing

@Suite("Breaker scopes and the Redis hash form")
struct BreakerRedisTests {
    @Test("scopes parse, print and name their Redis key", arguments: [
        ("global", BreakerScope.global, "cost:breaker:global"),
        ("provider:openai", .provider("openai"), "cost:breaker:provider:openai"),
        ("agent:team-a/planner@host", .agent("team-a/planner@host"), "cost:breaker:agent:team-a/planner@host"),
        ("agent:ns:worker.1", .agent("ns:worker.1"), "cost:breaker:agent:ns:worker.1"),
    ])
    func scopeForms(text: String, scope: BreakerScope, key: String) throws {
        #expect(try BreakerScope(parsing: text) == scope)
        #expect(scope.text == text && scope.redisKey == key && "\(scope)" == text)
    }

    @Test("bad scopes are refused with a message naming the rule", arguments: [
        ("", "unknown breaker scope"), ("Global", "unknown breaker scope"), ("session:s1", "unknown breaker scope"),
        ("provider:OpenAI", "^[a-z0-9][a-z0-9_-]{0,31}$"), ("provider:", "^[a-z0-9]"),
        ("provider:" + String(repeating: "a", count: 33), "{0,31}"),
        ("agent:", "1–128"), ("agent:has space", "[A-Za-z0-9._:@/-]"),
        ("agent:" + String(repeating: "a", count: 129), "1–128"),
    ])
    func badScopes(text: String, fragment: String) {
        #expect {
            try BreakerScope(parsing: text)
        } throws: { error in
            (error as? BreakerError)?.message.contains(fragment) == true
        }
    }

    @Test("the three scopes guarding a call, in gate order")
    func scopesForCall() {
        #expect(BreakerScope.scopes(provider: "openai", agentID: "a1") == [.global, .provider("openai"), .agent("a1")])
    }

    @Test("redisFields writes the contract fields first, then the extensions, and reads back equal")
    func roundTrip() throws {
        let state = BreakerState(phase: .halfOpen, reason: "cost_spike", sinceMs: 1_795_756_800_123, retryAtMs: 1_795_756_860_123,
                                 overrideUntilMs: 1_795_757_000_000, version: 7, probesLeft: 3, cooldownMs: 300_000)
        let fields = state.redisFields
        #expect(fields.map(\.0) == ["state", "reason", "since", "retry_at", "override_until", "version", "probes_left", "cooldown_ms"])
        #expect(fields[0].1 == "half_open" && fields[2].1 == "1795756800123" && fields[5].1 == "7")
        let read = try BreakerState(redisFields: Dictionary(uniqueKeysWithValues: fields))
        #expect(read == state)
    }

    @Test("a missing key reads as closed; a stray version is kept")
    func missingKey() throws {
        #expect(try BreakerState(redisFields: [:]) == .closed)
        let stray = try BreakerState(redisFields: ["version": "12", "probes_left": "-1"])
        #expect(stray.phase == .closed && stray.version == 12 && stray.reason == "")
    }

    @Test("absent numeric fields read as 0 and a negative probes_left as 0")
    func lenientNumbers() throws {
        let state = try BreakerState(redisFields: ["state": "open", "reason": "manual", "probes_left": "-2"])
        #expect(state == BreakerState(phase: .open, reason: "manual", sinceMs: 0, version: 0))
    }

    @Test("an unknown state or a malformed number is refused", arguments: [
        (["state": "OPEN"], "closed, open or half_open"), (["state": "open", "since": "soon"], "since"),
        (["state": "open", "retry_at": "-5"], "retry_at"), (["state": "closed", "version": "1.5"], "version"),
        (["state": "half_open", "probes_left": "x"], "probes_left"),
    ])
    func malformed(fields: [String: String], fragment: String) {
        #expect {
            try BreakerState(redisFields: fields)
        } throws: { error in
            (error as? BreakerError)?.message.contains(fragment) == true
        }
    }
}
