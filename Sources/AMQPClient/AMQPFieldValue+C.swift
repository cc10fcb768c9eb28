import CRabbitMQ

extension AMQPFieldValue {
    /// Copies a decoded C value into Swift. Handles every kind RabbitMQ sends.
    init(copying value: amqp_field_value_t) {
        switch value.kind {
        case UInt8(ascii: "t"): self = .bool(value.value.boolean != 0)
        case UInt8(ascii: "b"): self = .int(Int64(value.value.i8))
        case UInt8(ascii: "B"): self = .int(Int64(value.value.u8))
        case UInt8(ascii: "s"): self = .int(Int64(value.value.i16))
        case UInt8(ascii: "u"): self = .int(Int64(value.value.u16))
        case UInt8(ascii: "I"): self = .int(Int64(value.value.i32))
        case UInt8(ascii: "i"): self = .int(Int64(value.value.u32))
        case UInt8(ascii: "l"): self = .int(value.value.i64)
        case UInt8(ascii: "L"): self = .int(Int64(clamping: value.value.u64))
        case UInt8(ascii: "T"): self = .timestamp(value.value.u64)
        case UInt8(ascii: "S"): self = .string(String(copying: value.value.bytes))
        case UInt8(ascii: "x"): self = .bytes([UInt8](copying: value.value.bytes))
        case UInt8(ascii: "F"): self = .table(Self.dictionary(copying: value.value.table))
        case UInt8(ascii: "A"):
            let array = value.value.array
            var values: [AMQPFieldValue] = []
            if let entries = array.entries, array.num_entries > 0 {
                values.reserveCapacity(Int(array.num_entries))
                for index in 0..<Int(array.num_entries) {
                    values.append(AMQPFieldValue(copying: entries[index]))
                }
            }
            self = .array(values)
        default: self = .void  // 'V', floats ('f', 'd'), decimals ('D') and anything newer
        }
    }

    static func dictionary(copying table: amqp_table_t) -> [String: AMQPFieldValue] {
        guard let entries = table.entries, table.num_entries > 0 else { return [:] }
        var out: [String: AMQPFieldValue] = [:]
        out.reserveCapacity(Int(table.num_entries))
        for index in 0..<Int(table.num_entries) {
            let entry = entries[index]
            out[String(copying: entry.key)] = AMQPFieldValue(copying: entry.value)
        }
        return out
    }
}

extension AMQPProperties {
    init(copying properties: amqp_basic_properties_t) {
        let flags = properties._flags
        func string(_ flag: UInt32, _ bytes: amqp_bytes_t) -> String? {
            flags & flag != 0 ? String(copying: bytes) : nil
        }
        self.init(
            contentType: string(AMQPFlag.contentType, properties.content_type),
            messageID: string(AMQPFlag.messageID, properties.message_id),
            correlationID: string(AMQPFlag.correlationID, properties.correlation_id),
            type: string(AMQPFlag.type, properties.type),
            appID: string(AMQPFlag.appID, properties.app_id),
            persistent: flags & AMQPFlag.deliveryMode != 0 && properties.delivery_mode == 2,
            timestamp: flags & AMQPFlag.timestamp != 0 ? properties.timestamp : nil,
            headers: flags & AMQPFlag.headers != 0 ? AMQPFieldValue.dictionary(copying: properties.headers) : [:]
        )
    }
}

extension String {
    /// Copies (lossy UTF-8) out of a rabbitmq-c buffer.
    init(copying bytes: amqp_bytes_t) {
        guard let start = bytes.bytes, bytes.len > 0 else {
            self = ""
            return
        }
        self = String(decoding: UnsafeRawBufferPointer(start: start, count: bytes.len), as: UTF8.self)
    }
}

extension Array where Element == UInt8 {
    /// Copies out of a rabbitmq-c buffer.
    init(copying bytes: amqp_bytes_t) {
        guard let start = bytes.bytes, bytes.len > 0 else {
            self = []
            return
        }
        self = Array(UnsafeRawBufferPointer(start: start, count: bytes.len))
    }
}
