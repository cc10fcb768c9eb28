import AMQPClient
import BreakerKit
import CostCore
import Foundation
import Testing

/// What one breaker test runs against: a scratch database, the suite's Redis database
/// (emptied), the real queues `cost.signals.breaker` and `cost.control` (purged: they are
/// global, so the suite runs one test at a time), a folder with the workers' keys file, and
/// the `cost-breaker` processes the test starts.
final class BreakerStage {
    static let signalsQueue = "cost.signals.breaker"
    static let controlQueue = "cost.control"

    let db: ScratchDatabase
    let redis: BreakerRedis
    let folder: URL
    /// The keys file every worker of this stage reads (`COST_BREAKER_KEYS`).
    let keysFile: URL
    private let admin: AMQPConnection
    private var publisher: AMQPConnection?
    private(set) var workers: [BreakerWorkerProcess] = []

    init() throws {
        db = try ScratchDatabase()
        redis = try BreakerRedis()
        folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("cost-it-breaker-\(IntegrationEnvironment.uniqueSuffix())", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        keysFile = folder.appendingPathComponent("keys.json")
        admin = try AMQPConnection(config: try ScratchQueues.adminConfig())
        // The same declarations as ops/rabbitmq/definitions.json (idempotent), then purge
        // what earlier runs or other suites' budget workers left.
        try admin.declareExchange("cost.signals", type: "topic")
        try admin.declareExchange("cost.control", type: "direct")
        try admin.declareQueue(Self.signalsQueue, arguments: ["x-queue-type": .string("quorum")])
        try admin.declareQueue(Self.controlQueue, arguments: ["x-queue-type": .string("quorum")])
        try admin.bindQueue(Self.signalsQueue, exchange: "cost.signals", routingKey: "#")
        try admin.bindQueue(Self.controlQueue, exchange: "cost.control", routingKey: "command")
        _ = try admin.purgeQueue(Self.signalsQueue)
        _ = try admin.purgeQueue(Self.controlQueue)
        try trust([])
    }

    /// Stops every worker still running (SIGKILL: the test has made its assertions), drops
    /// the database, empties the Redis database, removes the keys folder.
    func tearDown() {
        for w in workers { w.kill9() }
        publisher?.close()
        admin.close()
        db.drop()
        try? redis.flush()
        redis.close()
        try? FileManager.default.removeItem(at: folder)
    }

    /// Writes the keys file trusting exactly `keys` (workers re-read it when it changes).
    func trust(_ keys: [BreakerSigningKey]) throws {
        try trust(entries: keys.map(\.entry))
    }

    func trust(entries: [JSONValue]) throws {
        try Data(BreakerSigningKey.keysFile(entries)).write(to: keysFile)
    }

    /// Starts a `cost-breaker` and (unless told not to) waits until it consumes both queues.
    @discardableResult
    func startWorker(_ name: String, waitUntilConsuming: Bool = true) async throws -> BreakerWorkerProcess {
        let w = try BreakerWorkerProcess(name: name, pgURL: db.url, redisURL: redis.url, keysFile: keysFile.path)
        workers.append(w)
        if waitUntilConsuming { try await w.waitUntilConsuming() }
        return w
    }

    /// SIGTERM to every running worker; each must exit 0 and keep passwords out of its log.
    func stopWorkers() async {
        for w in workers where w.isRunning {
            await w.terminate()
            w.expectNoSecretsInLog()
        }
    }

    // MARK: publishing

    /// Publishes `cost.signal.v1` bodies to exchange `cost.signals` (as the budget and anomaly
    /// workers do) and waits for the broker's confirms. The routing key is one no other
    /// suite's tap listens to; the breaker queue is bound `#`.
    func publishSignals(_ bodies: [JSONValue]) throws {
        let c = try publishingConnection()
        for body in bodies {
            try c.publish(exchange: "cost.signals", routingKey: "it-breaker.signal", body: Array(body.serialized().utf8),
                          properties: AMQPProperties(contentType: "application/json", persistent: true))
        }
        try c.waitForConfirms(timeout: .seconds(30))
    }

    private func publishingConnection() throws -> AMQPConnection {
        if let c = publisher, c.isOpen { return c }
        let c = try AMQPConnection(config: try ScratchQueues.adminConfig())
        try c.enableConfirms()
        publisher = c
        return c
    }

    /// Publishes a command body with its signature header to exchange `cost.control`, routing
    /// key `command`, as the user of `amqpURL` (default: the commander, COST_COMMANDER_AMQP_URL),
    /// and waits for the broker's confirm. Throws the broker's refusal.
    static func publishCommand(body: [UInt8], signature: String?, messageID: String, amqpURL: String? = nil) throws {
        var config = try AMQPConfig(url: try amqpURL ?? IntegrationEnvironment.required("COST_COMMANDER_AMQP_URL"))
        config.heartbeatSeconds = 0
        let c = try AMQPConnection(config: config)
        defer { c.close() }
        try c.enableConfirms()
        var headers: [String: AMQPFieldValue] = [:]
        if let signature { headers[CommandSignature.header] = .string(signature) }
        try c.publish(exchange: "cost.control", routingKey: "command", body: body,
                      properties: AMQPProperties(contentType: "application/json", messageID: messageID, headers: headers))
        try c.waitForConfirms(timeout: .seconds(10))
    }

    /// Signs `command` with `key` and publishes it as the commander.
    func send(_ command: ControlCommand, signedBy key: BreakerSigningKey) throws {
        let signed = try key.signed(command)
        try Self.publishCommand(body: signed.body, signature: signed.signature, messageID: command.commandID)
    }

    // MARK: observing

    struct AuditRow: Equatable, CustomStringConvertible {
        var actor: String, action: String, scope: String, outcome: String, reason: String, keyID: String
        var description: String { "\(actor) \(action) \(scope) → \(outcome) (\(reason)) key \(keyID)" }
    }

    /// The audit rows of one command id, oldest first.
    func audit(commandID: String) throws -> [AuditRow] {
        try db.query("""
            SELECT actor, action, coalesce(scope, ''), outcome, reason, coalesce(key_id, '')
            FROM audit_log WHERE command_id = $1 ORDER BY id
            """, [commandID]).rows.map {
            AuditRow(actor: $0[0] ?? "", action: $0[1] ?? "", scope: $0[2] ?? "", outcome: $0[3] ?? "",
                     reason: $0[4] ?? "", keyID: $0[5] ?? "")
        }
    }

    /// Waits until the worker has written `count` audit rows for the command.
    @discardableResult
    func waitForAudit(_ commandID: String, count: Int = 1, timeout: Duration = .seconds(20)) async throws -> [AuditRow] {
        try await Waiting.until("\(count) audit row(s) for command \(commandID)", timeout: timeout,
                                interval: .milliseconds(25), diagnostics: { self.diagnostics }) {
            let rows = try audit(commandID: commandID)
            return (rows.count >= count, "\(rows)")
        }
        return try audit(commandID: commandID)
    }

    struct TransitionRow: Equatable, CustomStringConvertible {
        var from: String, to: String, reason: String, version: Int64, worker: String, evidence: String
        var description: String { "v\(version) \(from)→\(to) (\(reason)) by \(worker)" }
    }

    /// The rows of `breaker_events` for one scope, by version. The ORDER BY names the table's
    /// columns: a bare `version` would sort by the output column `version::text` ("10" < "2").
    func transitions(_ scope: BreakerScope) throws -> [TransitionRow] {
        try db.query("""
            SELECT from_state, to_state, reason, version::text, worker, evidence::text
            FROM breaker_events WHERE scope = $1 ORDER BY breaker_events.version, breaker_events.id
            """, [scope.text]).rows.map {
            TransitionRow(from: $0[0] ?? "", to: $0[1] ?? "", reason: $0[2] ?? "", version: Int64($0[3] ?? "") ?? -1,
                          worker: $0[4] ?? "", evidence: $0[5] ?? "")
        }
    }

    /// `costctl <arguments>` pointed at this stage's database and Redis database; the
    /// commander URL comes from this process's environment.
    func costctl(_ arguments: [String]) throws -> CommandRunner.Output {
        var environment = ProcessInfo.processInfo.environment
        environment["COST_PG_URL"] = db.url
        environment["COST_REDIS_URL"] = redis.url
        return try CommandRunner.run(try IntegrationEnvironment.executable("costctl"), arguments, environment: environment)
    }

    /// Worker logs, for failure messages.
    var diagnostics: String {
        workers.map(\.logTail).joined(separator: "\n")
    }
}
