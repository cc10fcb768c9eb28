import CostCore
import Testing

/// Shared values for the breaker tests.
enum BreakerFixture {
    static let config = BreakerConfig()
    static let t0: Int64 = 1_795_756_800_000  // 2026-11-27T00:00:00Z
    static let minute: Int64 = 60_000

    static func opened(_ trigger: BreakerTrigger, at now: Int64 = t0) -> BreakerState {
        BreakerState.closed.applying(.trip(trigger, nowMs: now), config: config)
    }

    static func halfOpen(_ trigger: BreakerTrigger = .costSpike(reason: "x"), at now: Int64 = t0) -> BreakerState {
        let open = opened(trigger, at: now)
        return open.applying(.tick(nowMs: open.retryAtMs), config: config)
    }
}

@Suite("Breaker transitions: trips, time, probes, overrides, resets")
struct BreakerTransitionTests {
    typealias F = BreakerFixture
    let config = BreakerFixture.config

    @Test("closed → open for each trigger, with the trigger's reason code, retry_at and cooldown", arguments: [
        (BreakerTrigger.budget(reason: "daily_budget_90pct", periodEndMs: BreakerFixture.t0 + 3_600_000),
         "daily_budget_90pct", BreakerFixture.t0 + 3_600_000, Int64(0)),
        (.budget(reason: "monthly_budget_90pct", periodEndMs: nil), "monthly_budget_90pct", 0, 0),
        (.credits(reason: "provider_credits_95pct"), "provider_credits_95pct", 0, 0),
        (.costSpike(reason: "12x normal"), "cost_spike", BreakerFixture.t0 + 300_000, 300_000),
        (.rateViolation(reason: "3 windows"), "rate_violation", BreakerFixture.t0 + 120_000, 120_000),
        (.riskCritical(reason: "score 97"), "risk_critical", BreakerFixture.t0 + 600_000, 600_000),
        (.manual(reason: "incident 42", untilMs: BreakerFixture.t0 + 1_800_000), "manual", BreakerFixture.t0 + 1_800_000, 0),
        (.manual(reason: "incident 42", untilMs: nil), "manual", 0, 0),
        (.manual(reason: "until in the past", untilMs: BreakerFixture.t0 - 1), "manual", 0, 0),
    ])
    func tripOpens(trigger: BreakerTrigger, reason: String, retryAt: Int64, cooldown: Int64) {
        let step = BreakerState.closed.transition(.trip(trigger, nowMs: F.t0), config: config)
        #expect(step.changed && step.phaseChanged)
        #expect(step.to == BreakerState(phase: .open, reason: reason, sinceMs: F.t0, retryAtMs: retryAt,
                                        version: 1, probesLeft: 0, cooldownMs: cooldown))
    }

    @Test("empty budget and credit reasons fall back to a code")
    func fallbackReasonCodes() {
        #expect(BreakerTrigger.budget(reason: "", periodEndMs: nil).reasonCode == "budget_threshold")
        #expect(BreakerTrigger.credits(reason: "").reasonCode == "provider_credits_95pct")
    }

    @Test("a budget signal for a period that already ended opens nothing")
    func staleBudgetSignal() {
        for end in [F.t0, F.t0 - 1] {
            let step = BreakerState.closed.transition(.trip(.budget(reason: "daily_budget_90pct", periodEndMs: end), nowMs: F.t0), config: config)
            #expect(!step.changed && step.to == .closed)
        }
    }

    @Test("open → half-open by tick exactly at retry_at, not a millisecond before")
    func openToHalfOpenAtRetryAt() {
        let open = F.opened(.costSpike(reason: "x"))
        let early = open.transition(.tick(nowMs: open.retryAtMs - 1), config: config)
        #expect(!early.changed && early.to.phase == .open)
        let due = open.transition(.tick(nowMs: open.retryAtMs), config: config)
        #expect(due.changed && due.to.phase == .halfOpen)
        #expect(due.to.probesLeft == 5 && due.to.retryAtMs == open.retryAtMs + 60_000)
        #expect(due.to.reason == "cost_spike" && due.to.sinceMs == open.retryAtMs && due.to.version == 2)
    }

    @Test("the budget breaker goes half-open when its period ends")
    func budgetPeriodEnd() {
        let end = F.t0 + 3_600_000
        let open = F.opened(.budget(reason: "daily_budget_90pct", periodEndMs: end))
        #expect(open.applying(.tick(nowMs: end - 1), config: config).phase == .open)
        #expect(open.applying(.tick(nowMs: end), config: config).phase == .halfOpen)
    }

    @Test("open with retry_at 0 never moves by time", arguments: [
        BreakerTrigger.credits(reason: "provider_credits_95pct"), .manual(reason: "m", untilMs: nil),
        .budget(reason: "daily_budget_90pct", periodEndMs: nil),
    ])
    func byHandNeverTicks(trigger: BreakerTrigger) {
        let open = F.opened(trigger)
        for now in [F.t0 + 1, F.t0 + 86_400_000 * 365, Int64.max] {
            #expect(!open.transition(.tick(nowMs: now), config: config).changed)
        }
    }

    @Test("half-open → closed when a probe succeeds and the condition cleared")
    func halfOpenCloses() {
        let half = F.halfOpen()
        let step = half.transition(.probeResult(success: true, conditionCleared: true, nowMs: F.t0 + 400_000), config: config)
        #expect(step.changed && step.to.phase == .closed)
        #expect(step.to.reason == "recovered" && step.to.retryAtMs == 0 && step.to.probesLeft == 0)
        #expect(step.to.version == half.version + 1 && step.to.sinceMs == F.t0 + 400_000)
    }

    @Test("half-open → open again for the same cooldown when a probe fails, even if the condition cleared")
    func failedProbeReopens() {
        let half = F.halfOpen(.riskCritical(reason: "r"))
        let now = F.t0 + 700_000
        for cleared in [false, true] {
            let next = half.applying(.probeResult(success: false, conditionCleared: cleared, nowMs: now), config: config)
            #expect(next.phase == .open && next.reason == "risk_critical")
            #expect(next.retryAtMs == now + 600_000 && next.probesLeft == 0)
        }
    }

    @Test("a failed trial of a breaker opened with an absolute or manual deadline re-opens by hand")
    func failedProbeByHand() {
        let half = F.halfOpen(.manual(reason: "m", untilMs: F.t0 + F.minute))
        #expect(half.phase == .halfOpen)
        let next = half.applying(.probeResult(success: false, conditionCleared: false, nowMs: F.t0 + 2 * F.minute), config: config)
        #expect(next.phase == .open && next.retryAtMs == 0)
    }

    @Test("successful probes without the condition cleared: half-open while probes remain, open once used up")
    func notClearedAfterAllowance() {
        var half = F.halfOpen()
        let now = F.t0 + 310_000
        #expect(!half.transition(.probeResult(success: true, conditionCleared: false, nowMs: now), config: config).changed)
        half.probesLeft = 0  // agents took every probe
        let next = half.applying(.probeResult(success: true, conditionCleared: false, nowMs: now), config: config)
        #expect(next.phase == .open && next.retryAtMs == now + 300_000)
    }

    @Test("probe results outside half-open change nothing")
    func probeResultIgnored() {
        for state in [BreakerState.closed, F.opened(.costSpike(reason: "x"))] {
            for (success, cleared) in [(true, true), (false, false)] {
                #expect(!state.transition(.probeResult(success: success, conditionCleared: cleared, nowMs: F.t0 + 1), config: config).changed)
            }
        }
    }

    @Test("a half-open window that used probes without a verdict starts again; an untouched one does not")
    func halfOpenWindowRenewal() {
        var half = F.halfOpen()
        let windowEnd = half.retryAtMs
        #expect(!half.transition(.tick(nowMs: windowEnd + 10 * F.minute), config: config).changed)
        half.probesLeft = 0
        #expect(!half.transition(.tick(nowMs: windowEnd - 1), config: config).changed)
        let renewed = half.applying(.tick(nowMs: windowEnd), config: config)
        #expect(renewed.phase == .halfOpen && renewed.probesLeft == 5 && renewed.retryAtMs == windowEnd + F.minute)
    }

    @Test("an override sets override_until in any phase; an end not after now changes nothing")
    func overrideSets() {
        let until = F.t0 + 30 * F.minute
        for state in [BreakerState.closed, F.opened(.credits(reason: "c")), F.halfOpen()] {
            let step = state.transition(.override(untilMs: until, nowMs: F.t0 + 1), config: config)
            #expect(step.changed && step.to.overrideUntilMs == until && step.to.phase == state.phase)
            #expect(!state.transition(.override(untilMs: F.t0 + 1, nowMs: F.t0 + 1), config: config).changed)
        }
        let shortened = F.opened(.credits(reason: "c"))
            .applying(.override(untilMs: until, nowMs: F.t0), config: config)
            .applying(.override(untilMs: F.t0 + F.minute, nowMs: F.t0), config: config)
        #expect(shortened.overrideUntilMs == F.t0 + F.minute)
    }

    @Test("an override expires by tick at its end, not before")
    func overrideExpires() {
        let until = F.t0 + 10 * F.minute
        let overridden = F.opened(.credits(reason: "c")).applying(.override(untilMs: until, nowMs: F.t0), config: config)
        #expect(!overridden.transition(.tick(nowMs: until - 1), config: config).changed)
        let expired = overridden.transition(.tick(nowMs: until), config: config)
        #expect(expired.changed && expired.to.overrideUntilMs == 0 && expired.to.phase == .open)
        #expect(expired.to.version == overridden.version + 1)
    }

    @Test("an override survives a trip")
    func overrideSurvivesTrip() {
        let until = F.t0 + 10 * F.minute
        let state = BreakerState.closed.applying(.override(untilMs: until, nowMs: F.t0), config: config)
            .applying(.trip(.riskCritical(reason: "r"), nowMs: F.t0 + 1), config: config)
        #expect(state.phase == .open && state.overrideUntilMs == until)
    }

    @Test("a manual reset closes from any phase and clears the override")
    func manualReset() {
        let override = BreakerEvent.override(untilMs: F.t0 + F.minute, nowMs: F.t0)
        let states = [
            F.opened(.credits(reason: "c")), F.halfOpen(), F.opened(.manual(reason: "m", untilMs: nil)),
            BreakerState.closed.applying(override, config: config),
        ]
        for state in states {
            let step = state.transition(.manualReset(nowMs: F.t0 + 5), config: config)
            #expect(step.changed && step.to.phase == .closed && step.to.reason == "manual_reset")
            #expect(step.to.retryAtMs == 0 && step.to.overrideUntilMs == 0 && step.to.probesLeft == 0)
            #expect(step.to.sinceMs == F.t0 + 5 && step.to.version == state.version + 1)
        }
        #expect(!BreakerState.closed.transition(.manualReset(nowMs: F.t0), config: config).changed)
    }

    @Test("trip while half-open re-opens with the new trigger")
    func tripWhileHalfOpen() {
        let next = F.halfOpen().applying(.trip(.rateViolation(reason: "v"), nowMs: F.t0 + 400_000), config: config)
        #expect(next.phase == .open && next.reason == "rate_violation" && next.retryAtMs == F.t0 + 400_000 + 120_000)
        #expect(next.probesLeft == 0)
    }
}
