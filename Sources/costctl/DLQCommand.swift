import AMQPClient
import ArgumentParser
import WorkerRuntime

struct DLQCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq", abstract: "List and replay dead-lettered messages (nothing is ever discarded).",
        discussion: """
            Each worker kind keeps its own dead-letter queue, cost.dlq.<kind>, so a replay reaches only that kind. \
            Every message keeps its original body; its headers say which field broke which rule.
              costctl dlq list --kind persist
              costctl dlq replay --kind persist --rule range     # after fixing the cause
            """,
        subcommands: [List.self, Replay.self])

    struct Filter: ParsableArguments {
        @Option(help: "Worker kind whose dead letters to read: persist, budget, anomaly or breaker.")
        var kind: String = "persist"

        @Option(help: "At most this many messages.")
        var limit: Int = 100

        @Option(help: "Only messages rejected for this rule (e.g. range, pattern, invalid_json).")
        var rule: String?

        @Option(help: "Only messages rejected for this field (e.g. input_tokens).")
        var field: String?

        func validate() throws {
            guard ["persist", "budget", "anomaly", "breaker"].contains(kind) else {
                throw ValidationError("unknown kind '\(kind)': use persist, budget, anomaly or breaker")
            }
            guard limit > 0 else { throw ValidationError("--limit must be positive") }
        }

        func matches(_ d: AMQPDelivery) -> Bool {
            (rule == nil || d.header(DeadLetter.ruleHeader) == rule)
                && (field == nil || d.header(DeadLetter.fieldHeader) == field)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show dead letters with their reasons; leaves them in place.")
        @OptionGroup var filter: Filter

        func run() throws {
            let amqp = try CLIEnvironment.adminAMQP()
            defer { amqp.close() }
            let queue = Topology.deadLetterQueue(for: filter.kind)
            let total = try amqp.declareQueue(queue, passive: true).messageCount
            var rows: [[String]] = []
            var lastTag: UInt64 = 0
            while rows.count < filter.limit, let d = try amqp.get(queue: queue) {
                lastTag = d.deliveryTag
                guard filter.matches(d) else { continue }
                rows.append([d.properties.messageID ?? "-", d.header(DeadLetter.fieldHeader) ?? "-",
                             d.header(DeadLetter.ruleHeader) ?? "-", d.header(DeadLetter.rejectedAtHeader) ?? "-",
                             String((d.header(DeadLetter.reasonHeader) ?? "-").prefix(100))])
            }
            if lastTag > 0 { try amqp.nack(lastTag, multiple: true, requeue: true) }
            print("\(queue): \(total) message(s)")
            if !rows.isEmpty { printTable(["message_id", "field", "rule", "rejected_at", "reason"], rows) }
        }
    }

    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send dead letters back to their worker queue, once the cause is fixed.",
            discussion: "Messages that are still invalid come back to the dead-letter queue with their reason.")
        @OptionGroup var filter: Filter

        func run() throws {
            let reader = try CLIEnvironment.adminAMQP()
            let writer = try CLIEnvironment.adminAMQP()
            defer { reader.close(); writer.close() }
            try writer.enableConfirms()
            let queue = Topology.deadLetterQueue(for: filter.kind)
            var replayed = 0, kept = 0
            var keep: [UInt64] = []
            while replayed < filter.limit, let d = try reader.get(queue: queue) {
                guard filter.matches(d) else { keep.append(d.deliveryTag); kept += 1; continue }
                var properties = d.properties
                let target = d.header(DeadLetter.sourceQueueHeader) ?? Topology.queue(for: filter.kind)
                for h in [DeadLetter.fieldHeader, DeadLetter.ruleHeader, DeadLetter.reasonHeader, DeadLetter.violationsHeader,
                          DeadLetter.rejectedByHeader, DeadLetter.rejectedAtHeader] { properties.headers[h] = nil }
                let count: Int64 = { if case .int(let n) = d.properties.headers["x-cost-replays"] { return n } else { return 0 } }()
                properties.headers["x-cost-replays"] = .int(count + 1)
                try writer.publish(exchange: "", routingKey: target, body: d.body, properties: properties)
                try writer.waitForConfirms(timeout: .seconds(10))
                try reader.ack(d.deliveryTag)
                replayed += 1
                if replayed % 1000 == 0 { progress("replayed \(replayed)…") }
            }
            for tag in keep { try reader.nack(tag, requeue: true) }
            print("replayed \(replayed) message(s) from \(queue)" + (kept > 0 ? "; \(kept) did not match the filter and stay" : ""))
        }
    }
}

extension AMQPDelivery {
    func header(_ name: String) -> String? {
        if case .string(let s) = properties.headers[name] { return s }
        return nil
    }
}
