import CostCore
import Testing

@Suite("Breaker gate: may an agent call a model now")
struct BreakerGateTests {
    typealias F = BreakerFixture
    let now = BreakerFixture.t0 + 1000

    func state(_ phase: BreakerPhase, reason: String = "r", retryAt: Int64 = 0, override: Int64 = 0, probes: Int = 0) -> BreakerState {
        BreakerState(phase: phase, reason: reason, sinceMs: F.t0, retryAtMs: retryAt, overrideUntilMs: override, version: 1, probesLeft: probes)
    }

    func decide(_ global: BreakerState, _ provider: BreakerState = .closed, _ agent: BreakerState = .closed) -> BreakerGate.Decision {
        BreakerGate.decide(states: [(.global, global), (.provider("openai"), provider), (.agent("a1"), agent)], nowMs: now)
    }

    @Test("all closed (or no breakers at all) → allowed")
    func allClosed() {
        #expect(decide(.closed) == .allowed)
        #expect(BreakerGate.decide(states: [], nowMs: now) == .allowed)
    }

    @Test("an open breaker in any scope denies with that scope, its reason and retry_at")
    func openDenies() {
        let open = state(.open, reason: "cost_spike", retryAt: now + 5000)
        #expect(decide(open) == .denied(scope: "global", reason: "cost_spike", retryAtMs: now + 5000))
        #expect(decide(.closed, open) == .denied(scope: "provider:openai", reason: "cost_spike", retryAtMs: now + 5000))
        #expect(decide(.closed, .closed, open) == .denied(scope: "agent:a1", reason: "cost_spike", retryAtMs: now + 5000))
        #expect(!decide(open).isAllowed)
    }

    @Test("an open breaker whose retry_at passed stays denied until the worker moves it")
    func staleOpenDenies() {
        #expect(decide(state(.open, retryAt: now - 1)) == .denied(scope: "global", reason: "r", retryAtMs: now - 1))
    }

    @Test("an active override lets calls through an open or half-open breaker; at its end it no longer does")
    func override() {
        #expect(decide(state(.open, override: now + 1)) == .allowedByOverride)
        #expect(decide(state(.halfOpen, retryAt: now + 60_000, override: now + 1, probes: 0)) == .allowedByOverride)
        #expect(decide(state(.halfOpen, retryAt: now + 60_000, override: now + 1, probes: 3)) == .allowedByOverride)
        #expect(decide(state(.open, retryAt: now + 9, override: now)) == .denied(scope: "global", reason: "r", retryAtMs: now + 9))
        #expect(decide(state(.closed, override: now + 1)) == .allowed)
    }

    @Test("half-open admits probes while probes are left, then denies until the window ends")
    func halfOpen() {
        let end = now + 60_000
        #expect(decide(.closed, state(.halfOpen, retryAt: end, probes: 1)) == .allowedAsProbe)
        #expect(decide(.closed, state(.halfOpen, reason: "risk_critical", retryAt: end, probes: 0))
                == .denied(scope: "provider:openai", reason: "risk_critical", retryAtMs: end))
    }

    @Test("combining: a denial anywhere wins; then a probe; then an override")
    func combining() {
        let probe = state(.halfOpen, retryAt: now + 60_000, probes: 2)
        let overridden = state(.open, override: now + 60_000)
        let open = state(.open, reason: "manual")
        #expect(decide(probe, overridden) == .allowedAsProbe)
        #expect(decide(overridden, .closed, .closed) == .allowedByOverride)
        #expect(decide(probe, overridden, open) == .denied(scope: "agent:a1", reason: "manual", retryAtMs: 0))
    }

    @Test("several denials: the latest retry_at, or 0 with its scope when any is open only by hand")
    func severalDenials() {
        let soon = state(.open, reason: "cost_spike", retryAt: now + 1000)
        let later = state(.open, reason: "risk_critical", retryAt: now + 9000)
        let byHand = state(.open, reason: "provider_credits_95pct", retryAt: 0)
        #expect(decide(soon, later) == .denied(scope: "provider:openai", reason: "risk_critical", retryAtMs: now + 9000))
        #expect(decide(later, soon) == .denied(scope: "global", reason: "risk_critical", retryAtMs: now + 9000))
        #expect(decide(soon, byHand, later) == .denied(scope: "provider:openai", reason: "provider_credits_95pct", retryAtMs: 0))
        #expect(decide(soon, soon) == .denied(scope: "global", reason: "cost_spike", retryAtMs: now + 1000))
    }

    @Test("probeScopes names only the scopes a probe must be taken from")
    func probeScopes() {
        let probe = state(.halfOpen, retryAt: now + 60_000, probes: 2)
        let overriddenProbe = state(.halfOpen, retryAt: now + 60_000, override: now + 5, probes: 2)
        let states: [(scope: BreakerScope, state: BreakerState)] = [
            (.global, probe), (.provider("openai"), overriddenProbe), (.agent("a1"), probe),
        ]
        #expect(BreakerGate.probeScopes(states: states, nowMs: now) == [.global, .agent("a1")])
        let denied = states + [(.agent("a2"), state(.open))]
        #expect(BreakerGate.probeScopes(states: denied, nowMs: now).isEmpty)
        #expect(BreakerGate.probeScopes(states: [(.global, .closed)], nowMs: now).isEmpty)
    }

    @Test("the gate follows the state machine: open denies, the cooldown's end admits probes, recovery allows")
    func followsStateMachine() {
        let config = F.config
        var global = F.opened(.costSpike(reason: "x"), at: now)
        #expect(decide(global) == .denied(scope: "global", reason: "cost_spike", retryAtMs: now + 300_000))
        global = global.applying(.tick(nowMs: now + 300_000), config: config)
        #expect(decide(global) == .allowedAsProbe)
        global = global.applying(.probeResult(success: true, conditionCleared: true, nowMs: now + 301_000), config: config)
        #expect(decide(global) == .allowed)
    }
}
