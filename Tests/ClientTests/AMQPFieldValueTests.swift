import Testing
import CRabbitMQ
@testable import AMQPClient

/// Field tables go to C and back (no server): what a publisher sets is what a consumer reads.
@Suite struct AMQPFieldValueTests {
    @Test func everyCaseSurvivesEncodingAndDecoding() {
        let headers: [String: AMQPFieldValue] = [
            "string": .string("grüße ✓"),
            "int": .int(-9_000_000_000),
            "bool": .bool(true),
            "bytes": .bytes([0xFF, 0x00, 0x80]),
            "timestamp": .timestamp(1_764_219_600),
            "table": .table(["nested": .array([.int(1), .string("two"), .void])]),
            "array": .array([.table(["count": .int(3)]), .bool(false)]),
            "void": .void,
            "empty-table": .table([:]),
            "empty-array": .array([]),
            "empty-string": .string(""),
        ]
        let pool = AMQPScratchPool()
        let encoded = pool.table(headers)
        #expect(AMQPFieldValue.dictionary(copying: encoded) == headers)
        pool.recycle()
    }

    @Test func decodesEveryIntegerWidthAndUnknownKinds() {
        func value(_ kind: Character, _ set: (inout amqp_field_value_t) -> Void) -> AMQPFieldValue {
            var raw = amqp_field_value_t()
            raw.kind = UInt8(ascii: kind.unicodeScalars.first!)
            set(&raw)
            return AMQPFieldValue(copying: raw)
        }
        #expect(value("b") { $0.value.i8 = -5 } == .int(-5))
        #expect(value("B") { $0.value.u8 = 250 } == .int(250))
        #expect(value("s") { $0.value.i16 = -30_000 } == .int(-30_000))
        #expect(value("u") { $0.value.u16 = 60_000 } == .int(60_000))
        #expect(value("I") { $0.value.i32 = -2_000_000_000 } == .int(-2_000_000_000))
        #expect(value("i") { $0.value.u32 = 4_000_000_000 } == .int(4_000_000_000))
        #expect(value("l") { $0.value.i64 = .min } == .int(.min))
        #expect(value("L") { $0.value.u64 = .max } == .int(.max))
        #expect(value("T") { $0.value.u64 = 42 } == .timestamp(42))
        #expect(value("f") { $0.value.f32 = 1.5 } == .void)
        #expect(value("d") { $0.value.f64 = 2.5 } == .void)
        #expect(value("D") { $0.value.decimal = amqp_decimal_t(decimals: 2, value: 100) } == .void)
        #expect(value("V") { _ in } == .void)
    }

    @Test func propertiesSurviveEncodingAndDecoding() {
        let properties = AMQPProperties(
            contentType: "application/json", messageID: "evt-1", correlationID: "corr-1", type: "cost.usage.v1",
            appID: "agent-sdk", persistent: false, timestamp: 1_764_219_600, headers: ["k": .string("v")])
        let pool = AMQPScratchPool()
        #expect(AMQPProperties(copying: pool.properties(properties)) == properties)
        #expect(AMQPProperties(copying: pool.properties(AMQPProperties())) == AMQPProperties())
    }
}
