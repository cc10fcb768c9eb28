import CLibPQ

extension PGConnection {
    /// Bytes buffered before each PQputCopyData call.
    static let copyChunkSize = 64 * 1024

    /// `COPY … FROM STDIN` in text format. Values are escaped (`\\`, `\t`, `\n`, `\r`), nil is
    /// sent as `\N`. Returns the number of rows the server reports (or `rows.count`).
    @discardableResult
    public func copyIn(_ copySQL: String, rows: [[String?]]) throws(PGError) -> Int {
        var data = PGCopyData(reservingCapacity: rows.count * 64)
        for row in rows { data.addRow(row) }
        return try copyIn(copySQL, data: data)
    }

    /// `COPY … FROM STDIN` of rows already encoded (`PGCopyData`). Data goes out in ~64 KiB
    /// chunks, then PQputCopyEnd and the final result is checked. Returns the number of rows
    /// the server reports (or `data.rowCount`).
    @discardableResult
    public func copyIn(_ copySQL: String, data: PGCopyData) throws(PGError) -> Int {
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

        var sendError: PGError?
        data.bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count, sendError == nil {
                let length = min(Self.copyChunkSize, raw.count - offset)
                sendError = put(UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + length)]), conn)
                offset += length
            }
        }

        if PQputCopyEnd(conn, sendError == nil ? nil : "client failed to send COPY data") != 1, sendError == nil {
            sendError = connectionError(conn)
        }
        var count = data.rowCount
        var resultError: PGError?
        while let result = PQgetResult(conn) {
            if PQresultStatus(result) == PGRES_COMMAND_OK {
                count = Int(String(cString: PQcmdTuples(result))) ?? data.rowCount
            } else if resultError == nil {
                resultError = error(from: result, conn, kind: .copy)
            }
            PQclear(result)
        }
        if let error = sendError ?? resultError { throw error }
        return count
    }

    private func put(_ chunk: UnsafeRawBufferPointer, _ conn: OpaquePointer) -> PGError? {
        guard let base = chunk.baseAddress, !chunk.isEmpty else { return nil }
        let status = PQputCopyData(conn, base.assumingMemoryBound(to: CChar.self), Int32(chunk.count))
        return status == 1 ? nil : connectionError(conn)
    }
}
