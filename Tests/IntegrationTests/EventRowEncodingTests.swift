import CostCore
@testable import CostStore
import PostgresClient
import Testing

/// The persist path encodes COPY rows straight to bytes (`EventRecorder.copyData`); these
/// must be exactly the text rows `EventRecorder.row` gives, escaped as `copyIn(rows:)` does.
@Suite("Event row encoding")
struct EventRowEncodingTests {
    static func events() throws -> [PricedEvent] {
        var fleet = TestEvents.fleet(count: 300)
        fleet[0].tags = ["note": "tab\there, newline\nthere, back\\slash", "zürich": "😀"]
        fleet[1].conversationID = nil
        fleet[1].latencyMs = nil
        fleet[1].requestID = nil
        fleet[2].reportedCost = nil
        fleet[3].reportedCost = Nanodollars(123_456_789_012)
        fleet[4].occurredAt = Timestamp(microsecondsSinceEpoch: -1)  // 1969-12-31T23:59:59.999999Z
        fleet[5].status = .error
        fleet[6].sessionID = "session\\with\tescapes"
        fleet[7].model = "model-without-a-price"  // unpriced: fallback cost, no catalog cost
        let catalog = try ScratchDatabase.catalog()
        return fleet.map { PricedEvent(event: $0, cost: CostCalculator.price($0, catalog: catalog)) }
    }

    @Test("tracking and ledger rows encode to the same bytes as the text rows, escapes and NULLs included")
    func directEncodingMatchesTextRows() throws {
        let events = try Self.events()
        #expect(events.contains { $0.cost.catalogCost != nil } && events.contains { $0.cost.catalogCost == nil })
        let direct = EventRecorder.copyData(events)
        var tracking = PGCopyData()
        var ledger = PGCopyData()
        for priced in events {
            let row = EventRecorder.row(priced)
            tracking.addRow(row)
            ledger.addRow([row[0], row[1]])
        }
        #expect(direct.tracking.rowCount == events.count)
        #expect(direct.tracking.bytes == tracking.bytes)
        #expect(direct.ledger.bytes == ledger.bytes)
        let text = String(decoding: direct.tracking.bytes, as: UTF8.self)
        #expect(text.contains("tab\\\\there"), "a tab inside the tags JSON is escaped for COPY")
        #expect(text.contains("1969-12-31T23:59:59.999999Z"))
    }

    @Test("amounts and times format as the String APIs do, at the edges")
    func amountsAndTimes() {
        for value: Int64 in [0, 1, 999_999_999, 1_000_000_000, -1, -1_000_000_001, .max, .min + 1] {
            var bytes: [UInt8] = []
            Nanodollars(value).appendDecimal(to: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == Nanodollars(value).decimalString)
        }
        for micros: Int64 in [0, 1, -1, 1_795_777_277_286_123, 253_402_300_799_999_999] {
            var bytes: [UInt8] = []
            Timestamp(microsecondsSinceEpoch: micros).appendRFC3339(to: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == Timestamp(microsecondsSinceEpoch: micros).rfc3339)
        }
        var bytes: [UInt8] = []
        Nanodollars(-1_000_000_001).appendDecimal(to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == "-1.000000001")
    }
}
