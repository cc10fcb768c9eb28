/// The compact binary form of the risk states (`AgentRiskState.encoded()`,
/// `SessionRiskState.encoded()`): a 3-byte header (`R`, kind, version), then fields in a fixed
/// order. Integers are LEB128 varints (signed ones zigzag-encoded), so the many zero counters
/// of an idle hour or minute take one byte each; `Double` statistics are their 8-byte IEEE bit
/// pattern, little-endian, so a round trip is exact.
///
/// The writer fills memory of its own (grown by doubling) rather than appending to an array
/// byte by byte: a state has ~1,500 fields, and each array append checks uniqueness.
struct RiskStateWriter: ~Copyable {
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var count = 0

    init(kind: UInt8, version: UInt8, capacity: Int) {
        self.capacity = max(capacity, 16)
        storage = .allocate(capacity: self.capacity)
        storage[0] = UInt8(ascii: "R")
        storage[1] = kind
        storage[2] = version
        count = 3
    }

    deinit { storage.deallocate() }

    /// The bytes written so far.
    var bytes: [UInt8] { Array(UnsafeBufferPointer(start: storage, count: count)) }

    /// Room for `more` bytes.
    @inline(__always)
    private mutating func reserve(_ more: Int) {
        guard count + more > capacity else { return }
        grow(more)
    }

    @inline(never)
    private mutating func grow(_ more: Int) {
        let grown = max(capacity * 2, count + more)
        let fresh = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        fresh.update(from: storage, count: count)
        storage.deallocate()
        storage = fresh
        capacity = grown
    }

    @inline(__always)
    mutating func unsigned(_ value: UInt64) {
        reserve(10)
        if value < 0x80 {  // most fields are small counters: one byte
            storage[count] = UInt8(truncatingIfNeeded: value)
            count += 1
            return
        }
        var rest = value
        while rest >= 0x80 {
            storage[count] = UInt8(truncatingIfNeeded: rest) | 0x80
            count += 1
            rest >>= 7
        }
        storage[count] = UInt8(rest)
        count += 1
    }

    @inline(__always)
    mutating func signed(_ value: Int64) {
        unsigned(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    @inline(__always)
    mutating func signed(_ value: Int32) {
        signed(Int64(value))
    }

    @inline(__always)
    mutating func double(_ value: Double) {
        reserve(8)
        UnsafeMutableRawPointer(storage + count).storeBytes(of: value.bitPattern.littleEndian, as: UInt64.self)
        count += 8
    }

    mutating func stat(_ value: RiskRunningStat) {
        double(value.mean)
        double(value.deviation)
        double(value.count)
    }
}

/// Reads what `RiskStateWriter` wrote; every read checks bounds and throws `RiskStateError`.
/// It reads from a copy in memory of its own (one memcpy), so each field costs no array
/// bounds check or retain beyond its own length check.
struct RiskStateReader: ~Copyable {
    private let bytes: UnsafeMutableBufferPointer<UInt8>
    private var index = 0
    /// The format version of what is read (one of those the caller accepts).
    let version: UInt8

    init(_ source: [UInt8], kind: UInt8, version: UInt8, what: String) throws(RiskStateError) {
        try self.init(source, kind: kind, versions: version...version, what: what)
    }

    /// Accepts any of `versions`, so a new build keeps reading the states an older one wrote.
    init(_ source: [UInt8], kind: UInt8, versions: ClosedRange<UInt8>, what: String) throws(RiskStateError) {
        guard source.count >= 3, source[0] == UInt8(ascii: "R"), source[1] == kind else {
            throw RiskStateError("not an encoded \(what)")
        }
        guard versions.contains(source[2]) else {
            let readable = versions.count == 1 ? "version \(versions.upperBound)" : "versions \(versions.lowerBound)–\(versions.upperBound)"
            throw RiskStateError("\(what) has format version \(source[2]); this build reads \(readable)")
        }
        version = source[2]
        bytes = .allocate(capacity: source.count)
        _ = bytes.initialize(from: source)
        index = 3
    }

    deinit { bytes.deallocate() }

    var isAtEnd: Bool { index == bytes.count }

    @inline(__always)
    mutating func unsigned() throws(RiskStateError) -> UInt64 {
        // Most fields are small counters: one byte.
        if index < bytes.count {
            let byte = bytes[index]
            if byte < 0x80 {
                index += 1
                return UInt64(byte)
            }
        }
        return try multiByteUnsigned()
    }

    @inline(never)
    private mutating func multiByteUnsigned() throws(RiskStateError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard index < bytes.count else { throw RiskStateError("truncated") }
            let byte = bytes[index]
            index += 1
            guard shift < 64 else { throw RiskStateError("varint too long") }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    @inline(__always)
    mutating func signed() throws(RiskStateError) -> Int64 {
        let raw = try unsigned()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    @inline(__always)
    mutating func int32() throws(RiskStateError) -> Int32 {
        let value = try signed()
        guard let result = Int32(exactly: value) else { throw Self.failure("counter out of range") }
        return result
    }

    @inline(__always)
    mutating func count(max: Int) throws(RiskStateError) -> Int {
        let value = try unsigned()
        guard value <= UInt64(max) else { throw Self.lengthFailure(value, max) }
        return Int(value)
    }

    @inline(__always)
    mutating func double() throws(RiskStateError) -> Double {
        guard bytes.count - index >= 8 else { throw Self.failure("truncated") }
        let bits = UInt64(littleEndian: UnsafeRawPointer(bytes.baseAddress! + index).loadUnaligned(as: UInt64.self))
        index += 8
        let value = Double(bitPattern: bits)
        guard value.isFinite else { throw Self.failure("statistic is not finite") }
        return value
    }

    /// Errors are built out of line, keeping the inlined reads small.
    @inline(never)
    private static func failure(_ message: String) -> RiskStateError { RiskStateError(message) }

    @inline(never)
    private static func lengthFailure(_ value: UInt64, _ max: Int) -> RiskStateError {
        RiskStateError("length \(value) above \(max)")
    }

    @inline(__always)
    mutating func stat() throws(RiskStateError) -> RiskRunningStat {
        let mean = try double()
        let deviation = try double()
        let count = try double()
        guard deviation >= 0, count >= 0 else { throw RiskStateError("negative deviation or count") }
        return RiskRunningStat(mean: mean, deviation: deviation, count: count)
    }

    func finish() throws(RiskStateError) {
        guard isAtEnd else { throw RiskStateError("\(bytes.count - index) trailing bytes") }
    }
}
