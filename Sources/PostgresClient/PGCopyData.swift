/// Rows for `COPY … FROM STDIN` in text format, encoded as they are added: fields
/// tab-separated, rows newline-terminated, `\N` for NULL, and text escaped (`\\`, `\t`, `\n`,
/// `\r`). Building the bytes directly spares a `[String?]` per row and a String per number.
///
///     var data = PGCopyData()
///     data.add("evt-1"); data.add(Int64(42)); data.addNull(); data.endRow()
///     try connection.copyIn("COPY t (id, n, note) FROM STDIN", data: data)
public struct PGCopyData: Sendable {
    /// The encoded rows.
    public private(set) var bytes: [UInt8] = []
    /// Rows ended with `endRow()`.
    public private(set) var rowCount = 0
    private var rowStarted = false

    public init(reservingCapacity capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    private mutating func separate() {
        if rowStarted { bytes.append(0x09) } else { rowStarted = true }
    }

    /// A text field (escaped), or NULL for nil.
    public mutating func add(_ text: String?) {
        guard var value = text else { return addNull() }
        separate()
        value.withUTF8 { appendEscaped($0) }
    }

    /// A text field given as UTF-8 bytes (escaped).
    public mutating func add(utf8: some Collection<UInt8>) {
        separate()
        let done = utf8.withContiguousStorageIfAvailable { appendEscaped($0) } != nil
        if !done { appendEscaped(Array(utf8)) }
    }

    /// An integer field, in decimal.
    public mutating func add(_ value: Int64) {
        separate()
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        let first = bytes.count
        repeat {  // lowest digit first, then reversed in place
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        bytes[first...].reverse()
    }

    /// A boolean field (`t` / `f`).
    public mutating func add(_ value: Bool) {
        separate()
        bytes.append(value ? UInt8(ascii: "t") : UInt8(ascii: "f"))
    }

    /// NULL.
    public mutating func addNull() {
        separate()
        bytes.append(0x5C)
        bytes.append(UInt8(ascii: "N"))
    }

    /// A field whose bytes `write` appends as they are. The caller guarantees they hold no
    /// backslash, tab, newline or carriage return (digits, timestamps, decimals).
    public mutating func addVerbatim(_ write: (inout [UInt8]) -> Void) {
        separate()
        write(&bytes)
    }

    /// Ends the row.
    public mutating func endRow() {
        bytes.append(0x0A)
        rowCount += 1
        rowStarted = false
    }

    /// One row of optional texts (as `copyIn(_:rows:)` takes them).
    public mutating func addRow(_ row: [String?]) {
        for value in row { add(value) }
        endRow()
    }

    private mutating func appendEscaped(_ source: UnsafeBufferPointer<UInt8>) {
        // Most values need no escaping: copy them in one go.
        if !source.contains(where: { $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
            bytes.append(contentsOf: source)
            return
        }
        for byte in source {
            switch byte {
            case 0x5C: bytes.append(0x5C); bytes.append(0x5C)
            case 0x09: bytes.append(0x5C); bytes.append(UInt8(ascii: "t"))
            case 0x0A: bytes.append(0x5C); bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(0x5C); bytes.append(UInt8(ascii: "r"))
            default: bytes.append(byte)
            }
        }
    }

    private mutating func appendEscaped(_ source: [UInt8]) {
        source.withUnsafeBufferPointer { appendEscaped($0) }
    }
}
