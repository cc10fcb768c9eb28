import CLibPQ

extension PGConnection {
    /// Bytes buffered before each PQputCopyData call.
    static let copyChunkSize = 64 * 1024

    /// `COPY … FROM STDIN` in text format. Values are escaped (`\\`, `\t`, `\n`, `\r`), nil is
    /// sent as `\N`. Data goes out in ~64 KiB chunks, then PQputCopyEnd and the final result is
    /// checked. Returns the number of rows the server reports (or `rows.count`).
    @discardableResult
    public func copyIn(_ copySQL: String, rows: [[String?]]) throws(PGError) -> Int {
        let conn = try openConnection()
        guard let start = PQexec(conn, copySQL) else { throw connectionError(conn) }
        let status = PQresultStatus(start)
        if status != PGRES_COPY_IN {
            let error: PGError
            if status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE || status == PGRES_NONFATAL_ERROR {
                error = self.error(from: start, conn, kind: .copy)
            } else {
                error = PGError(kind: .invalidArgument, message: "statement did not start COPY … FROM STDIN")
            }
            PQclear(start)
            if status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH { abortCopy(conn) }
            throw error
        }
        PQclear(start)

        var buffer: [UInt8] = []
        buffer.reserveCapacity(Self.copyChunkSize + 4096)
        var sendError: PGError?
        for row in rows {
            Self.appendCopyLine(row, to: &buffer)
            if buffer.count >= Self.copyChunkSize {
                sendError = put(buffer, conn)
                buffer.removeAll(keepingCapacity: true)
                if sendError != nil { break }
            }
        }
        if sendError == nil, !buffer.isEmpty { sendError = put(buffer, conn) }

        if PQputCopyEnd(conn, sendError == nil ? nil : "client failed to send COPY data") != 1, sendError == nil {
            sendError = connectionError(conn)
        }
        var count = rows.count
        var resultError: PGError?
        while let result = PQgetResult(conn) {
            if PQresultStatus(result) == PGRES_COMMAND_OK {
                count = Int(String(cString: PQcmdTuples(result))) ?? rows.count
            } else if resultError == nil {
                resultError = error(from: result, conn, kind: .copy)
            }
            PQclear(result)
        }
        if let error = sendError ?? resultError { throw error }
        return count
    }

    private func put(_ buffer: [UInt8], _ conn: OpaquePointer) -> PGError? {
        let status = buffer.withUnsafeBytes { raw in
            PQputCopyData(conn, raw.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(raw.count))
        }
        return status == 1 ? nil : connectionError(conn)
    }

    /// One text-format COPY line: tab-separated, escaped, `\N` for NULL, newline-terminated.
    static func appendCopyLine(_ row: [String?], to buffer: inout [UInt8]) {
        for (index, value) in row.enumerated() {
            if index > 0 { buffer.append(0x09) }
            guard let value else {
                buffer.append(0x5C)
                buffer.append(UInt8(ascii: "N"))
                continue
            }
            // Most values need no escaping: copy them in one go.
            let plain = value.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
                guard !bytes.contains(where: { $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else { return false }
                buffer.append(contentsOf: bytes)
                return true
            } ?? false
            if plain { continue }
            for byte in value.utf8 {
                switch byte {
                case 0x5C: buffer.append(0x5C); buffer.append(0x5C)
                case 0x09: buffer.append(0x5C); buffer.append(UInt8(ascii: "t"))
                case 0x0A: buffer.append(0x5C); buffer.append(UInt8(ascii: "n"))
                case 0x0D: buffer.append(0x5C); buffer.append(UInt8(ascii: "r"))
                default: buffer.append(byte)
                }
            }
        }
        buffer.append(0x0A)
    }
}
