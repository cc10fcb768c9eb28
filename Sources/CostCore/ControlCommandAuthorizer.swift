/// Whether a breaker worker applies a command. Either way it lands in the audit log with
/// `auditReason`.
public enum CommandVerdict: Sendable, Equatable {
    case apply
    /// `reason`: `unknown_key`, `bad_signature`, `invalid_command`, `action_not_allowed`,
    /// `missing_override_code`, `code_not_allowed`, `duration_exceeds_maximum`, `clock_skew`
    /// or `replayed`.
    case refuse(reason: String)

    /// `applied`, or the refusal reason.
    public var auditReason: String {
        switch self {
        case .apply: return "applied"
        case .refuse(let reason): return reason
        }
    }
}

/// Decides a decoded command's fate (contract v1 §3). Pure: the worker verifies the Ed25519
/// signature over the exact body bytes itself (with the key from `publicKey(for:in:)`), looks
/// `command_id` up in its record of seen commands, and passes both answers in.
public enum CommandAuthorizer {
    /// Checks, in this order, stopping at the first failure:
    /// 1. the key is known (`unknown_key`);
    /// 2. the signature verified (`bad_signature`);
    /// 3. the command keeps the field rules (`invalid_command`), which decoding already checks;
    /// 4. the key may take the action (`action_not_allowed`);
    /// 5. an override names a code (`missing_override_code`) the key may use (`code_not_allowed`)
    ///    for no longer than min(code maximum, key maximum) (`duration_exceeds_maximum`);
    /// 6. `issued_at` is within ±5 minutes of now, both bounds included (`clock_skew`);
    /// 7. `command_id` was never seen before (`replayed`).
    public static func verdict(
        _ cmd: ControlCommand, keys: KeysFile, signatureValid: Bool, nowMs: Int64, seenBefore: Bool
    ) -> CommandVerdict {
        guard let key = publicKey(for: cmd.keyID, in: keys) else { return .refuse(reason: "unknown_key") }
        guard signatureValid else { return .refuse(reason: "bad_signature") }
        if let problem = validationProblem(cmd), problem != ControlCommandError.missingOverrideCode {
            return .refuse(reason: problem)
        }
        guard key.allowedActions.contains(cmd.action) else { return .refuse(reason: "action_not_allowed") }
        if cmd.action == .override {
            guard let code = cmd.overrideCode else { return .refuse(reason: ControlCommandError.missingOverrideCode) }
            guard key.allowedCodes.contains(code) else { return .refuse(reason: "code_not_allowed") }
            guard let minutes = cmd.durationMinutes, minutes <= keys.maxMinutes(for: code, key: key) else {
                return .refuse(reason: "duration_exceeds_maximum")
            }
        }
        let nowMicros = Timestamp(millisecondsSinceEpoch: nowMs).microsecondsSinceEpoch
        let skew = cmd.issuedAt.microsecondsSinceEpoch.subtractingReportingOverflow(nowMicros)
        guard !skew.overflow, skew.partialValue.magnitude <= UInt64(ControlCommand.maxClockSkewMs * 1000) else {
            return .refuse(reason: "clock_skew")
        }
        return seenBefore ? .refuse(reason: "replayed") : .apply
    }

    /// The reason code of the first broken field rule, nil when there is none. A missing
    /// override code is checked again, in its place, in step 5.
    private static func validationProblem(_ cmd: ControlCommand) -> String? {
        do {
            try cmd.validate()
            return nil
        } catch {
            return error.reason
        }
    }

    public static func publicKey(for keyID: String, in keys: KeysFile) -> TrustedKey? {
        keys.keys.first { $0.keyID.utf8.elementsEqual(keyID.utf8) }
    }
}
