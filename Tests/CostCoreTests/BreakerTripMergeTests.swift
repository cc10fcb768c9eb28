import CostCore
import Testing

@Suite("Breaker: repeated and competing trips, cleared conditions, versions")
struct BreakerTripMergeTests {
    typealias F = BreakerFixture
    let config = BreakerFixture.config

    @Test("trip while open keeps the strongest hold: by hand beats any time, then the later retry_at")
    func strongestWins() {
        let byHand = F.opened(.credits(reason: "provider_credits_95pct"))
        let spikeLater = BreakerEvent.trip(.costSpike(reason: "x"), nowMs: F.t0 + 1)
        #expect(!byHand.transition(spikeLater, config: config).changed)

        let spike = F.opened(.costSpike(reason: "x"))  // retry t0 + 5 min
        let risk = spike.transition(.trip(.riskCritical(reason: "r"), nowMs: F.t0 + 1), config: config)  // t0 + 10 min
        #expect(risk.changed && risk.to.reason == "risk_critical" && risk.to.retryAtMs == F.t0 + 1 + 600_000)
        #expect(risk.to.cooldownMs == 600_000 && risk.to.version == spike.version + 1)

        let weaker = risk.to.transition(.trip(.rateViolation(reason: "v"), nowMs: F.t0 + 2), config: config)
        #expect(!weaker.changed && weaker.to.reason == "risk_critical")

        let manual = risk.to.transition(.trip(.manual(reason: "m", untilMs: nil), nowMs: F.t0 + 3), config: config)
        #expect(manual.changed && manual.to.reason == "manual" && manual.to.retryAtMs == 0 && manual.to.cooldownMs == 0)

        let monthly = F.opened(.budget(reason: "daily_budget_90pct", periodEndMs: F.t0 + 3_600_000))
            .applying(.trip(.budget(reason: "monthly_budget_90pct", periodEndMs: F.t0 + 86_400_000), nowMs: F.t0 + 4), config: config)
        #expect(monthly.reason == "monthly_budget_90pct" && monthly.retryAtMs == F.t0 + 86_400_000)
    }

    @Test("two by-hand trips: the first reason stays")
    func byHandVersusByHand() {
        let credits = F.opened(.credits(reason: "provider_credits_95pct"))
        #expect(!credits.transition(.trip(.manual(reason: "m", untilMs: nil), nowMs: F.t0 + 1), config: config).changed)
    }

    @Test("repeated identical trips change nothing and do not bump the version", arguments: [
        BreakerTrigger.budget(reason: "daily_budget_90pct", periodEndMs: BreakerFixture.t0 + 3_600_000),
        .credits(reason: "provider_credits_95pct"), .costSpike(reason: "x"), .rateViolation(reason: "x"),
        .riskCritical(reason: "x"), .manual(reason: "m", untilMs: nil),
        .manual(reason: "m", untilMs: BreakerFixture.t0 + 60_000),
    ])
    func repeatedTripIsIdempotent(trigger: BreakerTrigger) {
        let open = F.opened(trigger)
        let again = open.transition(.trip(trigger, nowMs: F.t0), config: config)
        #expect(!again.changed && again.to == open && again.to.version == 1)
    }

    @Test("budget and credit signals repeated later are idempotent; a cooldown trip repeated later extends it once")
    func repeatedLater() {
        let budget = BreakerTrigger.budget(reason: "daily_budget_90pct", periodEndMs: F.t0 + 3_600_000)
        #expect(!F.opened(budget).transition(.trip(budget, nowMs: F.t0 + 1000), config: config).changed)
        let credits = BreakerTrigger.credits(reason: "provider_credits_95pct")
        #expect(!F.opened(credits).transition(.trip(credits, nowMs: F.t0 + 1000), config: config).changed)

        let spike = F.opened(.costSpike(reason: "x"))
        let extended = spike.transition(.trip(.costSpike(reason: "x"), nowMs: F.t0 + 1000), config: config)
        #expect(extended.changed && extended.to.retryAtMs == F.t0 + 1000 + 300_000 && extended.to.version == 2)
        #expect(!extended.to.transition(.trip(.costSpike(reason: "x"), nowMs: F.t0 + 1000), config: config).changed)
    }

    @Test("a cleared condition sends a breaker open for exactly that reason to half-open")
    func conditionCleared() {
        let open = F.opened(.budget(reason: "daily_budget_90pct", periodEndMs: F.t0 + 3_600_000))
        let step = open.transition(.conditionCleared(reason: "daily_budget_90pct", nowMs: F.t0 + F.minute), config: config)
        #expect(step.changed && step.to.phase == .halfOpen && step.to.probesLeft == 5)
        #expect(step.to.retryAtMs == F.t0 + 2 * F.minute && step.to.reason == "daily_budget_90pct")

        let credits = F.opened(.credits(reason: "provider_credits_95pct"))
        #expect(credits.applying(.conditionCleared(reason: "provider_credits_95pct", nowMs: F.t0 + 1), config: config).phase == .halfOpen)
    }

    @Test("a cleared condition never releases another reason, a manual trip, or a closed/half-open breaker")
    func conditionClearedIgnored() {
        let risk = F.opened(.riskCritical(reason: "r"))
        #expect(!risk.transition(.conditionCleared(reason: "daily_budget_90pct", nowMs: F.t0 + 1), config: config).changed)
        let manual = F.opened(.manual(reason: "m", untilMs: nil))
        #expect(!manual.transition(.conditionCleared(reason: "manual", nowMs: F.t0 + 1), config: config).changed)
        #expect(!BreakerState.closed.transition(.conditionCleared(reason: "", nowMs: F.t0), config: config).changed)
        let half = F.halfOpen()
        #expect(!half.transition(.conditionCleared(reason: "cost_spike", nowMs: F.t0 + 1), config: config).changed)
    }

    @Test("version grows by exactly one per change and since is the time of the last change")
    func versionCountsChanges() {
        let events: [BreakerEvent] = [
            .tick(nowMs: F.t0),                                                   // no change
            .trip(.costSpike(reason: "x"), nowMs: F.t0),                          // open
            .trip(.costSpike(reason: "x"), nowMs: F.t0),                          // no change
            .override(untilMs: F.t0 + F.minute, nowMs: F.t0 + 10),                // override
            .tick(nowMs: F.t0 + 30_000),                                          // no change
            .tick(nowMs: F.t0 + F.minute),                                        // override expires
            .probeResult(success: true, conditionCleared: true, nowMs: F.t0 + F.minute),  // ignored: open
            .tick(nowMs: F.t0 + 300_000),                                         // half-open
            .probeResult(success: true, conditionCleared: true, nowMs: F.t0 + 301_000),   // closed
            .manualReset(nowMs: F.t0 + 302_000),                                  // no change
        ]
        var state = BreakerState.closed
        var changes: Int64 = 0
        for event in events {
            let step = state.transition(event, config: config)
            if step.changed {
                changes += 1
                #expect(step.to.version == step.from.version + 1 && step.to.sinceMs == event.nowMs)
            } else {
                #expect(step.to == step.from)
            }
            state = step.to
        }
        #expect(changes == 5 && state.version == 5)
        #expect(state.phase == .closed && state.reason == "recovered" && state.sinceMs == F.t0 + 301_000)
    }
}
