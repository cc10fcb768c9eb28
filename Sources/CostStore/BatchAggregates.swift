import CostCore

/// Per-session and per-(UTC day, agent, provider, model) sums of one batch, computed in the
/// worker so the database only appends them. Exact: integer tokens and nanodollars.
struct BatchAggregates {
    struct Session {
        var agentID: String
        var first: Timestamp
        var last: Timestamp
        var events: Int64 = 0
        var tokens = Tokens()
        var cost = Nanodollars.zero

        mutating func add(_ priced: PricedEvent) {
            let e = priced.event
            first = min(first, e.occurredAt)
            last = max(last, e.occurredAt)
            agentID = min(agentID, e.agentID)
            events += 1
            tokens.add(e)
            cost += priced.cost.cost
        }
    }

    struct DayKey: Hashable {
        /// Midnight UTC of the day, in microseconds (formatted once per key, not per event).
        var dayStart: Int64
        var agentID: String
        var provider: String
        var model: String
    }

    struct Day {
        var events: Int64 = 0
        var errors: Int64 = 0
        var unpriced: Int64 = 0
        var tokens = Tokens()
        var cost = Nanodollars.zero

        mutating func add(_ priced: PricedEvent) {
            events += 1
            if priced.event.status != .success { errors += 1 }
            if priced.cost.unpriced { unpriced += 1 }
            tokens.add(priced.event)
            cost += priced.cost.cost
        }
    }

    struct Tokens {
        var input: Int64 = 0, output: Int64 = 0, cacheRead: Int64 = 0, cacheWrite: Int64 = 0, reasoning: Int64 = 0

        mutating func add(_ e: UsageEvent) {
            input += e.inputTokens
            output += e.outputTokens
            cacheRead += e.cacheReadTokens
            cacheWrite += e.cacheWriteTokens
            reasoning += e.reasoningTokens
        }
    }

    private(set) var sessions: [String: Session] = [:]
    private(set) var days: [DayKey: Day] = [:]

    init(_ events: [PricedEvent]) {
        for priced in events {
            let e = priced.event
            // Updated in place: one hash lookup per event and table.
            sessions[e.sessionID, default: Session(agentID: e.agentID, first: e.occurredAt, last: e.occurredAt)]
                .add(priced)
            let key = DayKey(dayStart: e.occurredAt.utcDayStart.microsecondsSinceEpoch, agentID: e.agentID,
                             provider: e.provider, model: e.model)
            days[key, default: Day()].add(priced)
        }
    }
}
