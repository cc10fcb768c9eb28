import ArgumentParser
import CostStore
import Foundation

struct AlertsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts", abstract: "List, acknowledge and resolve alerts; manage webhooks.",
        subcommands: [List.self, Acknowledge.self, Resolve.self, WebhookAdd.self, WebhookList.self, WebhookRemove.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Recent alerts.")
        @Option(help: "open, acknowledged, resolved or all.") var state: String = "all"
        @Option(help: "How many of the newest alerts to show (1–10000).") var limit: Int = 50

        func validate() throws {
            guard state == "all" || AlertStore.states.contains(state) else {
                throw ValidationError("unknown alert state '\(state)': use open, acknowledged, resolved or all")
            }
            guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be between 1 and 10000 (got \(limit))") }
        }

        func run() throws {
            let db = try CLIEnvironment.postgres()
            defer { db.close() }
            let alerts = try AlertStore(db: db).recent(state: state == "all" ? nil : state, limit: limit)
            if alerts.isEmpty { print(state == "all" ? "no alerts" : "no \(state) alerts"); return }
            printTable(["id", "created (UTC)", "kind", "subject", "period", "tier", "state", "message"], alerts.map {
                [String($0.id), $0.createdUTC, $0.kind, $0.subject, $0.periodKey, String($0.tier), $0.state, String($0.message.prefix(90))]
            })
        }
    }

    struct Acknowledge: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ack", abstract: "Acknowledge an alert.")
        @Argument var id: Int64
        @Option(help: "Who acknowledges.") var by: String = ProcessInfo.processInfo.environment["USER"] ?? "admin"
        func run() throws {
            let db = try CLIEnvironment.postgres()
            defer { db.close() }
            guard try AlertStore(db: db).setState(id: id, state: "acknowledged", by: by) else { throw ValidationError("no alert \(id)") }
            print("alert \(id) acknowledged by \(by)")
        }
    }

    struct Resolve: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resolve an alert.")
        @Argument var id: Int64
        func run() throws {
            let db = try CLIEnvironment.postgres()
            defer { db.close() }
            guard try AlertStore(db: db).setState(id: id, state: "resolved", by: nil) else { throw ValidationError("no alert \(id)") }
            print("alert \(id) resolved")
        }
    }

    struct WebhookAdd: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "webhook-add", abstract: "Deliver alerts to a URL, signed with HMAC-SHA256.",
            discussion: """
                Each delivery is a POST of the alert JSON (with a Slack-compatible "text" field) and headers
                X-Cost-Timestamp and X-Cost-Signature: sha256=hex(HMAC-SHA256(secret, "<timestamp>.<body>")).
                Failed deliveries are retried with backoff (2 s doubling, up to 1 h).
                """)
        @Argument var id: String
        @Option var url: String
        @Option(help: "Shared secret for the signature (env COST_WEBHOOK_SECRET if omitted).") var secret: String?
        @Option(help: "Only these alert kinds, comma-separated (default: all).") var kinds: String = ""
        func run() throws {
            guard let secret = secret ?? ProcessInfo.processInfo.environment["COST_WEBHOOK_SECRET"], secret.count >= 16 else {
                throw ValidationError("a secret of at least 16 characters is needed (--secret or COST_WEBHOOK_SECRET)")
            }
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else { throw ValidationError("--url must start with http:// or https://") }
            let db = try CLIEnvironment.postgres()
            defer { db.close() }
            try WebhookStore(db: db).add(id: id, url: url, secret: secret, kinds: kinds.split(separator: ",").map(String.init))
            print("webhook \(id) → \(url)")
        }
    }

    struct WebhookList: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "webhooks", abstract: "List webhooks (never their secrets).")
        func run() throws {
            let db = try CLIEnvironment.postgres()
            defer { db.close() }
            let rows = try WebhookStore(db: db).list()
            if rows.isEmpty { print("no webhooks"); return }
            printTable(["id", "url", "kinds", "delivered", "pending"], rows)
        }
    }

    struct WebhookRemove: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "webhook-rm", abstract: "Remove a webhook.")
        @Argument var id: String
        func run() throws {
            let db = try CLIEnvironment.postgres()
            defer { db.close() }
            guard try WebhookStore(db: db).remove(id: id) else { throw ValidationError("no webhook '\(id)'") }
            print("removed webhook \(id)")
        }
    }
}
