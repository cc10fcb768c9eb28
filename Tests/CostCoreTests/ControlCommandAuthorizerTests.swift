import CostCore
import Testing

@Suite("ControlCommand authorization: keys, signature, codes, durations, clock, replay")
struct ControlCommandAuthorizerTests {
    typealias F = ControlFixture
    let now = ControlFixture.issuedMs

    /// alice: every action, EMERGENCY (≤ 30 min for her) and BUDGET; bob: trip and reset only.
    let keys = KeysFile(keys: [
        TrustedKey(keyID: "alice-2026", publicKeyBase64: ControlFixture.keyA, allowedActions: [.override, .trip, .reset],
                   allowedCodes: [.emergency, .budget], maxDurationMinutes: [.emergency: 30]),
        TrustedKey(keyID: "bob-2026", publicKeyBase64: ControlFixture.keyA, allowedActions: [.trip, .reset]),
    ])

    func verdict(_ command: ControlCommand, signatureValid: Bool = true, nowMs: Int64? = nil, seenBefore: Bool = false) -> CommandVerdict {
        CommandAuthorizer.verdict(command, keys: keys, signatureValid: signatureValid, nowMs: nowMs ?? now, seenBefore: seenBefore)
    }

    @Test("a valid command from an allowed key is applied")
    func apply() {
        #expect(verdict(F.command(duration: 30)) == .apply)
        #expect(verdict(F.command(code: .budget, duration: 240)) == .apply)
        #expect(verdict(F.command(action: .trip, code: nil, duration: nil, keyID: "bob-2026")) == .apply)
        #expect(verdict(F.command(action: .reset, code: nil, duration: nil, keyID: "bob-2026")) == .apply)
        #expect(CommandVerdict.apply.auditReason == "applied")
    }

    @Test("each refusal has its reason")
    func refusals() {
        #expect(verdict(F.command(duration: 30, keyID: "mallory")) == .refuse(reason: "unknown_key"))
        #expect(verdict(F.command(duration: 30), signatureValid: false) == .refuse(reason: "bad_signature"))
        #expect(verdict(F.command(duration: 30, keyID: "bob-2026")) == .refuse(reason: "action_not_allowed"))
        #expect(verdict(F.command(code: .admin, duration: 30)) == .refuse(reason: "code_not_allowed"))
        #expect(verdict(F.command(code: nil, duration: 30)) == .refuse(reason: "missing_override_code"))
        #expect(verdict(F.command(duration: 31)) == .refuse(reason: "duration_exceeds_maximum"))
        #expect(verdict(F.command(code: .budget, duration: 241)) == .refuse(reason: "duration_exceeds_maximum"))
        #expect(verdict(F.command(duration: 30, issuedMs: now - 300_001)) == .refuse(reason: "clock_skew"))
        #expect(verdict(F.command(duration: 30), seenBefore: true) == .refuse(reason: "replayed"))
        #expect(verdict(F.command(duration: 30, id: "bad id")) == .refuse(reason: "invalid_command"))
        #expect(verdict(F.command(duration: nil)) == .refuse(reason: "invalid_command"))
        #expect(verdict(F.command(scope: .provider("Not Valid"), duration: 30)) == .refuse(reason: "invalid_command"))
        #expect(CommandVerdict.refuse(reason: "replayed").auditReason == "replayed")
    }

    @Test("the code's maximum from the keys file caps every key; the key's own limit can only lower it")
    func codeMaximumFromFile() {
        let strict = KeysFile(keys: keys.keys, codeMaxMinutes: [.budget: 90, .emergency: 10])
        let alice = keys.keys[0]
        #expect(strict.maxMinutes(for: .budget, key: alice) == 90)
        #expect(strict.maxMinutes(for: .emergency, key: alice) == 10)
        #expect(strict.maxMinutes(for: .admin, key: alice) == 1440)
        #expect(CommandAuthorizer.verdict(F.command(code: .budget, duration: 91), keys: strict, signatureValid: true,
                                          nowMs: now, seenBefore: false) == .refuse(reason: "duration_exceeds_maximum"))
        #expect(CommandAuthorizer.verdict(F.command(code: .budget, duration: 90), keys: strict, signatureValid: true,
                                          nowMs: now, seenBefore: false) == .apply)
    }

    @Test("issued_at exactly 5 minutes either side of now is accepted; 1 ms more is clock skew", arguments: [
        (Int64(-300_000), true), (300_000, true), (-300_001, false), (300_001, false), (0, true),
    ])
    func clockWindow(offsetMs: Int64, accepted: Bool) {
        let command = F.command(duration: 30, issuedMs: now + offsetMs)
        #expect(verdict(command) == (accepted ? .apply : .refuse(reason: "clock_skew")))
    }

    @Test("sub-millisecond issued_at counts: 5 min + 1 µs is refused")
    func clockWindowMicroseconds() {
        var command = F.command(duration: 30)
        command.issuedAt = Timestamp(microsecondsSinceEpoch: (now + 300_000) * 1000 + 1)
        #expect(verdict(command) == .refuse(reason: "clock_skew"))
    }

    @Test("checks run in contract order: the first failing check names the refusal")
    func order() {
        let everythingWrong = F.command(code: .admin, duration: 999, keyID: "mallory", issuedMs: 0)
        #expect(verdict(everythingWrong, signatureValid: false, seenBefore: true) == .refuse(reason: "unknown_key"))
        let known = F.command(code: .admin, duration: 999, issuedMs: 0)
        #expect(verdict(known, signatureValid: false, seenBefore: true) == .refuse(reason: "bad_signature"))
        let bobOverride = F.command(code: .admin, duration: 999, keyID: "bob-2026", issuedMs: 0)
        #expect(verdict(bobOverride, seenBefore: true) == .refuse(reason: "action_not_allowed"))
        #expect(verdict(known, seenBefore: true) == .refuse(reason: "code_not_allowed"))
        #expect(verdict(F.command(duration: 999, issuedMs: 0), seenBefore: true) == .refuse(reason: "duration_exceeds_maximum"))
        #expect(verdict(F.command(duration: 30, issuedMs: 0), seenBefore: true) == .refuse(reason: "clock_skew"))
    }

    @Test("a code alone grants nothing: a key without codes cannot override under any code")
    func codeAloneGrantsNothing() {
        let noCodes = KeysFile(keys: [TrustedKey(keyID: "carol", publicKeyBase64: F.keyA, allowedActions: [.override])])
        for code in OverrideCode.allCases {
            #expect(CommandAuthorizer.verdict(F.command(code: code, duration: 1, keyID: "carol"), keys: noCodes,
                                              signatureValid: true, nowMs: now, seenBefore: false) == .refuse(reason: "code_not_allowed"))
        }
    }

    @Test("publicKey(for:) finds a key by exact id")
    func keyLookup() {
        #expect(CommandAuthorizer.publicKey(for: "bob-2026", in: keys)?.allowedActions == [.trip, .reset])
        #expect(CommandAuthorizer.publicKey(for: "BOB-2026", in: keys) == nil)
        #expect(CommandAuthorizer.publicKey(for: "alice-2026", in: keys)?.publicKeyBytes == Array(0..<32))
    }
}
