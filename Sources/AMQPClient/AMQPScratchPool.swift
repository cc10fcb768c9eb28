import CRabbitMQ

/// C memory for one outgoing call (publish properties, header tables, queue arguments).
///
/// Everything built here lives in one `amqp_pool_t` and stays valid until `recycle()`,
/// which the connection calls right after the C call that used it. Never escapes a call.
final class AMQPScratchPool {
    private let pool: UnsafeMutablePointer<amqp_pool_t>

    init() {
        pool = .allocate(capacity: 1)
        init_amqp_pool(pool, 4096)
    }

    deinit {
        empty_amqp_pool(pool)
        pool.deallocate()
    }

    /// Frees everything allocated since the last recycle (keeps one page for reuse).
    func recycle() {
        recycle_amqp_pool(pool)
    }

    private func allocate(_ size: Int) -> UnsafeMutableRawPointer {
        // rabbitmq-c returns NULL only when malloc fails; there is no recovering from that.
        guard let memory = amqp_pool_alloc(pool, max(size, 1)) else {
            fatalError("rabbitmq-c pool allocation of \(size) bytes failed: out of memory")
        }
        return memory
    }

    func bytes(_ string: String) -> amqp_bytes_t {
        bytes(Array(string.utf8))
    }

    func bytes(_ source: [UInt8]) -> amqp_bytes_t {
        if source.isEmpty { return amqp_bytes_t(len: 0, bytes: nil) }
        let memory = allocate(source.count)
        source.withUnsafeBytes { memory.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        return amqp_bytes_t(len: source.count, bytes: memory)
    }

    func table(_ dictionary: [String: AMQPFieldValue]) -> amqp_table_t {
        if dictionary.isEmpty { return amqp_table_t(num_entries: 0, entries: nil) }
        let entries = allocate(MemoryLayout<amqp_table_entry_t>.stride * dictionary.count)
            .bindMemory(to: amqp_table_entry_t.self, capacity: dictionary.count)
        for (index, key) in dictionary.keys.sorted().enumerated() {
            (entries + index).initialize(to: amqp_table_entry_t(key: bytes(key), value: field(dictionary[key]!)))
        }
        return amqp_table_t(num_entries: Int32(dictionary.count), entries: entries)
    }

    func field(_ value: AMQPFieldValue) -> amqp_field_value_t {
        var out = amqp_field_value_t()
        switch value {
        case .string(let string):
            out.kind = UInt8(ascii: "S")
            out.value.bytes = bytes(string)
        case .int(let int):
            out.kind = UInt8(ascii: "l")
            out.value.i64 = int
        case .bool(let bool):
            out.kind = UInt8(ascii: "t")
            out.value.boolean = bool ? 1 : 0
        case .bytes(let raw):
            out.kind = UInt8(ascii: "x")
            out.value.bytes = bytes(raw)
        case .timestamp(let seconds):
            out.kind = UInt8(ascii: "T")
            out.value.u64 = seconds
        case .table(let dictionary):
            out.kind = UInt8(ascii: "F")
            out.value.table = table(dictionary)
        case .array(let values):
            out.kind = UInt8(ascii: "A")
            out.value.array = array(values)
        case .void:
            out.kind = UInt8(ascii: "V")
        }
        return out
    }

    private func array(_ values: [AMQPFieldValue]) -> amqp_array_t {
        if values.isEmpty { return amqp_array_t(num_entries: 0, entries: nil) }
        let entries = allocate(MemoryLayout<amqp_field_value_t>.stride * values.count)
            .bindMemory(to: amqp_field_value_t.self, capacity: values.count)
        for (index, value) in values.enumerated() {
            (entries + index).initialize(to: field(value))
        }
        return amqp_array_t(num_entries: Int32(values.count), entries: entries)
    }

    /// The C properties for a publish; strings and headers live in this pool.
    func properties(_ properties: AMQPProperties) -> amqp_basic_properties_t {
        var out = amqp_basic_properties_t()
        var flags: UInt32 = AMQPFlag.deliveryMode
        out.delivery_mode = properties.persistent ? 2 : 1
        if let value = properties.contentType {
            flags |= AMQPFlag.contentType
            out.content_type = bytes(value)
        }
        if let value = properties.messageID {
            flags |= AMQPFlag.messageID
            out.message_id = bytes(value)
        }
        if let value = properties.correlationID {
            flags |= AMQPFlag.correlationID
            out.correlation_id = bytes(value)
        }
        if let value = properties.type {
            flags |= AMQPFlag.type
            out.type = bytes(value)
        }
        if let value = properties.appID {
            flags |= AMQPFlag.appID
            out.app_id = bytes(value)
        }
        if let value = properties.timestamp {
            flags |= AMQPFlag.timestamp
            out.timestamp = value
        }
        if !properties.headers.isEmpty {
            flags |= AMQPFlag.headers
            out.headers = table(properties.headers)
        }
        out._flags = flags
        return out
    }
}

/// Bits of `amqp_basic_properties_t._flags` (amqp_framing.h).
enum AMQPFlag {
    static let contentType: UInt32 = 1 << 15
    static let headers: UInt32 = 1 << 13
    static let deliveryMode: UInt32 = 1 << 12
    static let correlationID: UInt32 = 1 << 10
    static let messageID: UInt32 = 1 << 7
    static let timestamp: UInt32 = 1 << 6
    static let type: UInt32 = 1 << 5
    static let appID: UInt32 = 1 << 3
}
