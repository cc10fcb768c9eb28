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
    }

    struct DayKey: Hashable {
        var day: String
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

        var columns: [String?] {
            [String(input), String(output), String(cacheRead), String(cacheWrite), String(reasoning)]
        }
    }

    private(set) var sessions: [String: Session] = [:]
    private(set) var days: [DayKey: Day] = [:]

    init(_ events: [PricedEvent]) {
        for priced in events {
            let e = priced.event
            var s = sessions[e.sessionID] ?? Session(agentID: e.agentID, first: e.occurredAt, last: e.occurredAt)
            s.first = min(s.first, e.occurredAt)
            s.last = max(s.last, e.occurredAt)
            s.agentID = min(s.agentID, e.agentID)
            s.events += 1
            s.tokens.add(e)
            s.cost += priced.cost.cost
            sessions[e.sessionID] = s

            let key = DayKey(day: e.occurredAt.utcDayString, agentID: e.agentID, provider: e.provider, model: e.model)
            var d = days[key] ?? Day()
            d.events += 1
            if e.status != .success { d.errors += 1 }
            if priced.cost.unpriced { d.unpriced += 1 }
            d.tokens.add(e)
            d.cost += priced.cost.cost
            days[key] = d
        }
    }

    /// Rows for `cost_session_deltas` (columns as `EventRecorder.sessionDeltaColumns`).
    var sessionRows: [[String?]] {
        sessions.map { id, s in
            [id, s.agentID, s.first.rfc3339, s.last.rfc3339, String(s.events)] + s.tokens.columns + [s.cost.decimalString]
        }
    }

    /// Rows for `daily_cost_deltas` (columns as `EventRecorder.dailyDeltaColumns`).
    var dayRows: [[String?]] {
        days.map { k, d in
            [k.day, k.agentID, k.provider, k.model, String(d.events), String(d.errors), String(d.unpriced)]
                + d.tokens.columns + [d.cost.decimalString]
        }
    }
}
