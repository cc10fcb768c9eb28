import CostCore
import PostgresClient

/// COPY fields for the core's types, written as bytes (no String per value).
extension PGCopyData {
    /// A timestamp as RFC 3339 UTC with 6 fractional digits (timestamptz input).
    mutating func add(_ time: Timestamp) {
        addVerbatim { time.appendRFC3339(to: &$0) }
    }

    /// An amount as a decimal with 9 fractional digits (numeric(20,9) input).
    mutating func add(_ amount: Nanodollars) {
        addVerbatim { amount.appendDecimal(to: &$0) }
    }

    mutating func add(_ amount: Nanodollars?) {
        if let amount { add(amount) } else { addNull() }
    }
}

extension EventRecorder {
    /// Appends one event as a `cost_tracking` row (columns as `EventRecorder.columns`); the
    /// same text `row(_:)` gives, encoded directly. `occurredAt` is the event's time already
    /// formatted (RFC 3339), shared with its ledger row.
    static func appendRow(_ priced: PricedEvent, occurredAt: [UInt8], to data: inout PGCopyData) {
        let e = priced.event
        let c = priced.cost
        data.add(e.eventID)
        data.addVerbatim { $0.append(contentsOf: occurredAt) }
        data.add(e.sessionID)
        data.add(e.agentID)
        data.add(e.conversationID)
        data.add(e.provider)
        data.add(e.model)
        data.add(e.inputTokens)
        data.add(e.outputTokens)
        data.add(e.cacheReadTokens)
        data.add(e.cacheWriteTokens)
        data.add(e.reasoningTokens)
        data.add(c.cost)
        data.add(c.source.rawValue)
        data.add(c.catalogCost)
        data.add(e.reportedCost)
        data.add(c.costMismatch)
        data.add(c.unpriced)
        if let latency = e.latencyMs { data.add(Int64(latency)) } else { data.addNull() }
        data.add(e.status.rawValue)
        data.add(e.requestID)
        data.add(e.tags.isEmpty ? nil
                 : JSONValue.object(e.tags.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }).serialized())
        data.endRow()
    }

    /// The batch as `cost_tracking` rows and as ledger rows (event_id, occurred_at).
    static func copyData(_ events: [PricedEvent]) -> (tracking: PGCopyData, ledger: PGCopyData) {
        var tracking = PGCopyData(reservingCapacity: events.count * 320)
        var ledger = PGCopyData(reservingCapacity: events.count * 72)
        var stamp: [UInt8] = []
        stamp.reserveCapacity(32)
        for priced in events {
            stamp.removeAll(keepingCapacity: true)
            priced.event.occurredAt.appendRFC3339(to: &stamp)  // once for both tables
            appendRow(priced, occurredAt: stamp, to: &tracking)
            ledger.add(priced.event.eventID)
            ledger.addVerbatim { $0.append(contentsOf: stamp) }
            ledger.endRow()
        }
        return (tracking, ledger)
    }
}

extension BatchAggregates {
    /// Rows for `cost_session_deltas` (columns as `EventRecorder.sessionDeltaColumns`).
    var sessionData: PGCopyData {
        var data = PGCopyData(reservingCapacity: sessions.count * 160)
        for (id, s) in sessions {
            data.add(id)
            data.add(s.agentID)
            data.add(s.first)
            data.add(s.last)
            data.add(s.events)
            s.tokens.add(to: &data)
            data.add(s.cost)
            data.endRow()
        }
        return data
    }

    /// Rows for `daily_cost_deltas` (columns as `EventRecorder.dailyDeltaColumns`).
    var dayData: PGCopyData {
        var data = PGCopyData(reservingCapacity: days.count * 160)
        for (k, d) in days {
            data.add(Timestamp(microsecondsSinceEpoch: k.dayStart).utcDayString)
            data.add(k.agentID)
            data.add(k.provider)
            data.add(k.model)
            data.add(d.events)
            data.add(d.errors)
            data.add(d.unpriced)
            d.tokens.add(to: &data)
            data.add(d.cost)
            data.endRow()
        }
        return data
    }
}

extension BatchAggregates.Tokens {
    func add(to data: inout PGCopyData) {
        data.add(input)
        data.add(output)
        data.add(cacheRead)
        data.add(cacheWrite)
        data.add(reasoning)
    }
}
