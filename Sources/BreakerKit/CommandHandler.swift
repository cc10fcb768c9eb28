import AMQPClient
import CostCore
import CostStore
import Foundation
import Logging
import Metrics
import PostgresClient

/// Verifies and applies one signed admin command (contract v1 §3); every command, applied or
/// refused, lands in `audit_log` with its reason. A code alone grants nothing: the key must be
/// known, the Ed25519 signature must verify over the exact body bytes, the key must be allowed
/// the action and code, the duration must be within the code's and the key's maximum,
/// `issued_at` within 5 minutes of now, and the command_id never seen before.
final class CommandHandler {
    private let keysPath: String?
    private var keys = KeysFile(keys: [])
    private var keysModified: Date?
    private let logger: Logger
    private let applied = Counter(label: "cost_breaker_commands_total", dimensions: [("outcome", "applied")])
    private let refused = Counter(label: "cost_breaker_commands_total", dimensions: [("outcome", "refused")])

    init(keysPath: String?, logger: Logger) throws {
        self.keysPath = keysPath
        self.logger = logger
        try reloadKeysIfChanged()
        if keysPath == nil {
            logger.warning("no keys file (--keys-file or COST_BREAKER_KEYS): every admin command will be refused as unknown_key")
        }
    }

    /// Re-reads the keys file when it changed, so keys can be added or revoked without restart.
    /// A file that no longer parses keeps the last good keys (and says so in the log): a typo
    /// must not stop the worker, nor silently widen what anyone may do.
    func reloadKeysQuietly() {
        do {
            try reloadKeysIfChanged()
        } catch {
            logger.error("the keys file no longer parses, keeping the \(keys.keys.count) key(s) loaded before: \(error)")
            keysModified = (try? FileManager.default.attributesOfItem(atPath: keysPath ?? ""))?[.modificationDate] as? Date
        }
    }

    func reloadKeysIfChanged() throws {
        guard let path = keysPath else { return }
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let modified = attributes?[.modificationDate] as? Date
        guard modified != keysModified else { return }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ControlCommandError(reason: ControlCommandError.invalidKeysFile, field: "$",
                                      message: "cannot read the keys file \(path): check the path and its permissions")
        }
        keys = try KeysFile.parse([UInt8](data))
        keysModified = modified
        logger.info("loaded \(keys.keys.count) trusted key(s) from \(path)")
    }

    func handle(_ delivery: AMQPDelivery, engine: BreakerEngine, db: PGConnection, nowMs: Int64, worker: String) throws {
        let audit = BreakerStore(db: db)
        let command: ControlCommand
        do {
            command = try ControlCommand.decode(delivery.body)
        } catch {
            refused.increment()
            try audit.audit(actor: "unknown", action: "unknown", scope: nil, outcome: "refused", reason: error.reason,
                            commandID: nil, keyID: nil, details: .object([("error", .string(error.description)),
                                                                           ("worker", .string(worker))]))
            logger.warning("refused an unreadable command: \(error)")
            return
        }
        let signature: String? = {
            if case .string(let s) = delivery.properties.headers[CommandSignature.header] { return s }
            return nil
        }()
        let key = CommandAuthorizer.publicKey(for: command.keyID, in: keys)
        let signatureValid = key.map { k in
            signature.map { CommandSignature.verify(body: delivery.body, signatureBase64: $0, publicKeyBase64: k.publicKeyBase64) } ?? false
        } ?? false
        let seen = try audit.commandSeen(command.commandID)
        let verdict = CommandAuthorizer.verdict(command, keys: keys, signatureValid: signatureValid, nowMs: nowMs, seenBefore: seen)
        var details: [(String, JSONValue)] = [
            ("issuer", .string(command.issuer)), ("reason", .string(command.reason)), ("worker", .string(worker)),
            ("issued_at", .string(command.issuedAt.rfc3339)),
        ]
        if let code = command.overrideCode { details.append(("override_code", .string(code.rawValue))) }
        if let minutes = command.durationMinutes { details.append(("duration_minutes", .number(String(minutes)))) }
        if verdict == .apply {
            // Apply first, then claim the id and audit in one transaction: a command whose
            // apply failed (a crash, a server away) is applied on redelivery instead of being
            // refused as a replay. Applying twice is harmless: the breaker transitions are
            // idempotent.
            let t: BreakerTransition?
            do {
                t = try engine.apply(command.breakerEvent(nowMs: nowMs), to: command.scope,
                                     evidence: .object([("command_id", .string(command.commandID)),
                                                        ("key_id", .string(command.keyID))] + details))
            } catch let error as BreakerError {
                // The scope's stored state is unreadable: refuse (audited, id not claimed); the
                // loop dead-letters the command so it can be replayed once the state is fixed.
                refused.increment()
                try audit.audit(actor: command.issuer, action: command.action.rawValue, scope: command.scope.text,
                                outcome: "refused", reason: "unreadable_state", commandID: command.commandID,
                                keyID: command.keyID, details: .object(details + [("error", .string(error.message))]))
                throw error
            }
            if let t { details.append(("new_state", .string(t.to.phase.rawValue))) }
            try db.transaction { tx in
                let store = BreakerStore(db: tx)
                _ = try store.claimCommandID(command.commandID, keyID: command.keyID)
                try store.audit(actor: command.issuer, action: command.action.rawValue, scope: command.scope.text,
                                outcome: "applied", reason: verdict.auditReason, commandID: command.commandID,
                                keyID: command.keyID, details: .object(details))
            }
            applied.increment()
        } else {
            refused.increment()
            try audit.audit(actor: command.issuer, action: command.action.rawValue, scope: command.scope.text,
                            outcome: "refused", reason: verdict.auditReason, commandID: command.commandID,
                            keyID: command.keyID, details: .object(details))
        }
        logger.notice("command \(command.commandID) \(command.action.rawValue) \(command.scope.text): \(verdict.auditReason)",
                      metadata: ["issuer": "\(command.issuer)", "key_id": "\(command.keyID)"])
    }
}
