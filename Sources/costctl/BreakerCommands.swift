import AMQPClient
import ArgumentParser
import BreakerKit
import CostCore
import Foundation
import RedisClient
import WorkerRuntime

struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Admin signing keys (Ed25519) for breaker commands.",
        subcommands: [Generate.self])

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a key pair: the private key goes to a file only you can read; print the keys-file entry.",
            discussion: """
                Add the printed entry to the breaker workers' keys file (--keys-file / COST_BREAKER_KEYS); they
                re-read it on change. Keep the private key off the workers' machines.
                  costctl keys generate --key-id alice-2026 --out ~/.config/cost-tracker/alice-2026.key \\
                      --codes EMERGENCY_OVERRIDE,ADMIN_OVERRIDE
                """)
        @Option(name: .customLong("key-id"), help: "Name of the key, 1–64 characters.") var keyID: String
        @Option(help: "Where to write the private key (mode 600; refuses to overwrite).") var out: String
        @Option(help: "Actions this key may take: override,trip,reset.") var actions: String = "override,trip,reset"
        @Option(help: "Override codes this key may use.") var codes: String = "EMERGENCY_OVERRIDE,BUDGET_OVERRIDE,ADMIN_OVERRIDE"

        func run() throws {
            guard !FileManager.default.fileExists(atPath: out) else { throw ValidationError("\(out) exists; choose another --out") }
            let pair = CommandSignature.generateKeyPair()
            guard FileManager.default.createFile(atPath: out, contents: Data((pair.privateKey + "\n").utf8),
                                                 attributes: [.posixPermissions: 0o600]) else {
                throw ValidationError("cannot write \(out)")
            }
            let entry = JSONValue.object([
                ("key_id", .string(keyID)), ("public_key", .string(pair.publicKey)),
                ("actions", .array(actions.split(separator: ",").map { .string(String($0)) })),
                ("codes", .array(codes.split(separator: ",").map { .string(String($0)) })),
            ])
            progress("private key written to \(out) (mode 600). Add this entry to the keys file's \"keys\" list:")
            print(entry.serialized())
        }
    }
}

/// Signs and publishes one `cost.control.v1` command as the commander user.
struct SignedCommandOptions: ParsableArguments {
    @Option(help: "global, provider:<p> or agent:<a>.") var scope: String
    @Option(help: "Why; lands in the audit log.") var reason: String
    @Option(name: .customLong("key-id"), help: "The signing key's id (as in the keys file).") var keyID: String
    @Option(name: .customLong("key-file"), help: "The private key file from `costctl keys generate`.") var keyFile: String
    @Option(help: "Who issues the command (default: $USER).") var issuer: String = ProcessInfo.processInfo.environment["USER"] ?? "admin"

    func publish(action: ControlAction, code: OverrideCode?, minutes: Int?) throws {
        let scope: BreakerScope
        do { scope = try BreakerScope(parsing: self.scope) } catch { throw ValidationError("\(error)") }
        guard let privateKey = FileManager.default.contents(atPath: keyFile).flatMap({ String(data: $0, encoding: .utf8) }) else {
            throw ValidationError("cannot read --key-file \(keyFile)")
        }
        let command = ControlCommand(commandID: "cmd-\(SystemClock.unixMilliseconds)-\(UInt32.random(in: 0...UInt32.max))",
                                     issuedAt: SystemClock.now(), issuer: issuer, keyID: keyID, action: action,
                                     overrideCode: code, scope: scope, durationMinutes: minutes, reason: reason)
        do { try command.validate() } catch { throw ValidationError("\(error)") }
        let body = command.jsonBytes()
        guard let signature = CommandSignature.sign(body: body, privateKeyBase64: privateKey) else {
            throw ValidationError("\(keyFile) does not hold an Ed25519 private key from `costctl keys generate`")
        }
        let amqp = try CLIEnvironment.amqp("COST_COMMANDER_AMQP_URL", purpose: "the RabbitMQ URL of the commander user")
        defer { amqp.close() }
        try amqp.enableConfirms()
        try amqp.publish(exchange: "cost.control", routingKey: "command", body: body,
                         properties: AMQPProperties(contentType: "application/json", messageID: command.commandID,
                                                    headers: [CommandSignature.header: .string(signature)]))
        try amqp.waitForConfirms(timeout: .seconds(10))
        print("sent \(action.rawValue) for \(scope.text) as command \(command.commandID); the breaker worker applies it "
              + "or refuses it — `costctl breaker status` and the audit log (costctl breaker audit) tell which")
    }
}

struct OverrideCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "override", abstract: "Let calls through an open breaker until the override expires (signed).",
        discussion: "  costctl override --scope provider:openai --code EMERGENCY_OVERRIDE --minutes 30 --reason 'incident 42' --key-id alice-2026 --key-file alice.key")
    @OptionGroup var signed: SignedCommandOptions
    @Option(help: "EMERGENCY_OVERRIDE, BUDGET_OVERRIDE or ADMIN_OVERRIDE.") var code: String
    @Option(help: "How long, within the code's and the key's maximum.") var minutes: Int
    func run() throws {
        guard let c = OverrideCode(rawValue: code) else { throw ValidationError("unknown code '\(code)': use EMERGENCY_OVERRIDE, BUDGET_OVERRIDE or ADMIN_OVERRIDE") }
        try signed.publish(action: .override, code: c, minutes: minutes)
    }
}

struct TripCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "trip", abstract: "Open a breaker by hand (signed).")
    @OptionGroup var signed: SignedCommandOptions
    @Option(help: "Close again by itself after this long (default: only by reset).") var minutes: Int?
    func run() throws { try signed.publish(action: .trip, code: nil, minutes: minutes) }
}

struct ResetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reset", abstract: "Close a breaker by hand (signed).")
    @OptionGroup var signed: SignedCommandOptions
    func run() throws { try signed.publish(action: .reset, code: nil, minutes: nil) }
}

struct BreakerStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "breaker", abstract: "Breaker state of every scope, and the audit log.",
        subcommands: [Status.self, Audit.self], defaultSubcommand: Status.self)

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every breaker in Redis (a scope without one is closed).")
        func run() throws {
            let redis = try RedisConnection(config: try RedisConfig(url: try CLIEnvironment.value("COST_REDIS_URL", purpose: "the Redis URL")))
            defer { redis.close() }
            var rows: [[String]] = []
            var cursor = "0"
            repeat {
                guard case .array(let parts) = try redis.command(["SCAN", cursor, "MATCH", "cost:breaker:*", "COUNT", "500"]),
                      parts.count == 2, let next = parts[0].string, case .array(let keys) = parts[1] else { break }
                cursor = next
                for key in keys.compactMap(\.string) where key != "cost:breaker:events" {
                    guard let s = try? BreakerState(redisFields: try redis.command(["HGETALL", key]).hashFields) else { continue }
                    func time(_ ms: Int64) -> String { ms == 0 ? "-" : Timestamp(millisecondsSinceEpoch: ms).rfc3339 }
                    rows.append([String(key.dropFirst("cost:breaker:".count)), s.phase.rawValue, s.reason, time(s.sinceMs),
                                 s.retryAtMs == 0 ? (s.phase == .open ? "by hand" : "-") : time(s.retryAtMs),
                                 time(s.overrideUntilMs), String(s.version)])
                }
            } while cursor != "0"
            if rows.isEmpty { print("every breaker is closed (no breaker state in Redis)"); return }
            printTable(["scope", "state", "reason", "since", "retry at", "override until", "version"], rows.sorted { $0[0] < $1[0] })
        }
    }

    struct Audit: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Recent admin commands, applied or refused, with the reason.")
        @Option var limit: Int = 30
        func run() throws {
            let db = try CLIEnvironment.postgres()
            defer { db.close() }
            let rows = try db.query("""
                SELECT to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), actor, action, coalesce(scope, '-'),
                       outcome, reason, coalesce(command_id, '-'), coalesce(key_id, '-')
                FROM audit_log ORDER BY id DESC LIMIT $1
                """, [String(limit)]).rows.map { $0.map { $0 ?? "" } }
            if rows.isEmpty { print("the audit log is empty"); return }
            printTable(["when (UTC)", "actor", "action", "scope", "outcome", "reason", "command", "key"], rows)
        }
    }
}
