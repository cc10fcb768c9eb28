import AMQPClient
import ArgumentParser
import Foundation
import PostgresClient
import RedisClient
import WorkerRuntime

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Queue depths, consumers, stored totals and the store rate.",
        discussion: "With --watch it refreshes until Ctrl-C; rates are measured between refreshes.")

    @Flag(help: "Refresh every --interval seconds until interrupted.")
    var watch = false

    @Option(help: "Seconds between refreshes with --watch.")
    var interval: Double = 2

    func run() throws {
        let amqp = try CLIEnvironment.adminAMQP()
        let db = try CLIEnvironment.postgres()
        let redis = ProcessInfo.processInfo.environment["COST_REDIS_URL"].flatMap { try? RedisConnection(config: RedisConfig(url: $0)) }
        defer { amqp.close(); db.close(); redis?.close() }
        var previous: (events: Int64, at: Date)?
        // Ctrl-C (or SIGTERM) ends --watch after the current refresh, also where SIGINT was
        // ignored on entry (a script started in the background), which the default would keep.
        if watch { installInterruptHandler() }
        repeat {
            let totals = try db.query("""
                SELECT coalesce(sum(event_count), 0)::bigint AS events, coalesce(sum(total_cost_usd), 0)::text AS cost,
                       coalesce(sum(unpriced_count), 0)::bigint AS unpriced,
                       (SELECT count(*) FROM cost_sessions) AS sessions,
                       (SELECT count(*) FROM unpriced_models) AS unpriced_models
                FROM daily_cost_summary
                """)
            let events = Int64(totals[0, "events"] ?? "0") ?? 0
            let now = Date()
            var rate = "-"
            if let p = previous, now.timeIntervalSince(p.at) > 0 {
                rate = String(Int((Double(events - p.events) / now.timeIntervalSince(p.at)).rounded()))
            }
            previous = (events, now)
            var rows: [[String]] = []
            for kind in ["persist", "budget", "anomaly"] {
                for q in [Topology.queue(for: kind), Topology.deadLetterQueue(for: kind)] {
                    let depth = try? amqp.declareQueue(q, passive: true)
                    rows.append([q, depth.map { String($0.messageCount) } ?? "missing",
                                 depth.map { String($0.consumerCount) } ?? "-"])
                }
            }
            if watch { print("\u{1B}[H\u{1B}[2J", terminator: "") }
            print("cost tracker status at \(ISO8601DateFormatter().string(from: now))")
            printTable(["queue", "ready", "consumers"], rows)
            print("")
            print("stored events: \(events)   store rate: \(rate)/s   total cost: $\(totals[0, "cost"] ?? "0")")
            print("sessions: \(totals[0, "sessions"] ?? "0")   unpriced events: \(totals[0, "unpriced"] ?? "0") "
                  + "(\(totals[0, "unpriced_models"] ?? "0") model(s) without a catalog price)")
            if let budgets = try? budgetStatusRows(db: db, redis: redis), !budgets.isEmpty {
                print("")
                printTable(["budget", "period", "spend", "limit", "used", "tier", "projected"], budgets)
            }
            let alerts = try? db.query("SELECT count(*) FILTER (WHERE state = 'open') AS open, count(*) AS total FROM cost_alerts")
            if let alerts { print("\nalerts: \(alerts[0, "open"] ?? "0") open of \(alerts[0, "total"] ?? "0") (costctl alerts list)") }
            let risk = try? db.query("""
                SELECT count(*) FILTER (WHERE level = 'MEDIUM') AS medium, count(*) FILTER (WHERE level = 'HIGH') AS high,
                       count(*) FILTER (WHERE level = 'CRITICAL') AS critical
                FROM security_events WHERE occurred_at > now() - interval '1 hour'
                """)
            if let risk {
                print("risk, last hour: \(risk[0, "medium"] ?? "0") MEDIUM, \(risk[0, "high"] ?? "0") HIGH, "
                      + "\(risk[0, "critical"] ?? "0") CRITICAL (costctl security report --since 1h)")
            }
            if watch {
                let until = Date().addingTimeInterval(max(0.2, interval))
                while Date() < until, !interrupted.load(ordering: .relaxed) { Thread.sleep(forTimeInterval: 0.1) }
            }
        } while watch && !interrupted.load(ordering: .relaxed)
    }
}
