import CLibPQ
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One blocking connection to PostgreSQL over libpq.
///
/// NOT thread-safe: one owner (a thread or a serial executor) uses it at a time. Results are
/// copied into `PGResult` and the `PGresult` cleared before returning.
public final class PGConnection {
    var connection: OpaquePointer?
    /// Password forms found in the URL; scrubbed from every error message.
    let secrets: [String]

    /// Connects with a libpq URI (`postgresql://user:pass@host:port/db?…`) or conninfo string.
    /// `connect_timeout=5`, `client_encoding=UTF8` and `application_name` are set unless the
    /// URL sets them itself.
    public init(url: String, applicationName: String = "cost-tracker") throws(PGError) {
        secrets = Self.secrets(in: url)
        let keywords = ["connect_timeout", "client_encoding", "application_name", "dbname"]
        let values = ["5", "UTF8", applicationName, url]
        let conn = Self.withCStrings(keywords) { keys in
            Self.withCStrings(values) { vals in PQconnectdbParams(keys, vals, 1) }
        }
        guard let conn else {
            throw PGError(kind: .connection, message: "libpq could not allocate a connection")
        }
        if PQstatus(conn) != CONNECTION_OK {
            let message = Self.trimmed(String(cString: PQerrorMessage(conn)))
            PQfinish(conn)
            throw PGError(kind: .connection, message: Self.scrub(message, secrets))
        }
        // Server notices (e.g. "table does not exist, skipping") would go to stderr: drop them.
        PQsetNoticeProcessor(conn, { _, _ in }, nil)
        connection = conn
    }

    deinit { close() }

    /// True while libpq reports the connection as `CONNECTION_OK`.
    public var isOpen: Bool {
        guard let conn = connection else { return false }
        return PQstatus(conn) == CONNECTION_OK
    }

    /// Closes the connection. Idempotent.
    public func close() {
        if let conn = connection {
            PQfinish(conn)
            connection = nil
        }
    }

    /// One statement via PQexecParams with text parameters (`$1`, `$2`, …; nil is NULL) and
    /// text results. Parameters are never interpolated into the SQL.
    @discardableResult
    public func query(_ sql: String, _ params: [String?] = []) throws(PGError) -> PGResult {
        let conn = try openConnection()
        if params.contains(where: { $0?.utf8.contains(0) ?? false }) {
            throw PGError(kind: .invalidArgument, message: "a text parameter contains a NUL byte")
        }
        let cParams: [UnsafeMutablePointer<CChar>?] = params.map { $0.flatMap { strdup($0) } }
        defer { cParams.forEach { free($0) } }
        let constParams = cParams.map { UnsafePointer($0) }
        let result = constParams.withUnsafeBufferPointer { buffer in
            PQexecParams(conn, sql, Int32(params.count), nil, buffer.baseAddress, nil, nil, 0)
        }
        return try consume(result, conn)
    }

    /// Several statements in one PQexec, no parameters (for migrations). Runs as one implicit
    /// transaction unless the script contains its own BEGIN/COMMIT.
    public func execute(script: String) throws(PGError) {
        let conn = try openConnection()
        _ = try consume(PQexec(conn, script), conn)
    }

    /// BEGIN, `body`, COMMIT. When `body` throws: ROLLBACK and rethrow its error. When the
    /// transaction was aborted by a failed statement that `body` swallowed, or COMMIT fails,
    /// this throws a `PGError`.
    public func transaction<T>(_ body: (PGConnection) throws -> T) throws -> T {
        try query("BEGIN")
        let value: T
        do {
            value = try body(self)
        } catch {
            _ = try? query("ROLLBACK")
            throw error
        }
        if let conn = connection, PQtransactionStatus(conn) == PQTRANS_INERROR {
            _ = try? query("ROLLBACK")
            throw PGError(kind: .query, sqlState: "25P02",
                          message: "transaction was aborted by an earlier failed statement and has been rolled back")
        }
        try query("COMMIT")
        return value
    }

    // MARK: - Internals

    func openConnection() throws(PGError) -> OpaquePointer {
        guard let conn = connection else {
            throw PGError(kind: .connection, message: "connection is closed")
        }
        return conn
    }

    /// Copies a result out and clears it; a failed status becomes a thrown `PGError`.
    func consume(_ result: OpaquePointer?, _ conn: OpaquePointer) throws(PGError) -> PGResult {
        guard let result else { throw connectionError(conn) }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        switch status {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY, PGRES_SINGLE_TUPLE:
            return Self.copyResult(result)
        case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
            abortCopy(conn)
            throw PGError(kind: .invalidArgument, message: "COPY statements must go through copyIn")
        default:
            throw error(from: result, conn, kind: .query)
        }
    }

    /// Builds an error from a failed result; `.connection` if the connection broke.
    func error(from result: OpaquePointer, _ conn: OpaquePointer, kind: PGError.Kind) -> PGError {
        func field(_ code: Character) -> String? {
            guard let value = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
            return String(cString: value)
        }
        let sqlState = field("C")
        var message = field("M") ?? Self.trimmed(String(cString: PQresultErrorMessage(result)))
        if message.isEmpty { message = Self.trimmed(String(cString: PQerrorMessage(conn))) }
        if let detail = field("D") { message += " DETAIL: \(detail)" }
        if let hint = field("H") { message += " HINT: \(hint)" }
        let brokenConnection = PQstatus(conn) != CONNECTION_OK
        return PGError(kind: brokenConnection ? .connection : kind, sqlState: sqlState,
                       message: Self.scrub(message, secrets))
    }

    func connectionError(_ conn: OpaquePointer) -> PGError {
        let message = Self.trimmed(String(cString: PQerrorMessage(conn)))
        let kind: PGError.Kind = PQstatus(conn) == CONNECTION_OK ? .protocolError : .connection
        return PGError(kind: kind, message: Self.scrub(message.isEmpty ? "no result from libpq" : message, secrets))
    }

    /// Ends a COPY this client did not expect and discards the remaining results.
    func abortCopy(_ conn: OpaquePointer) {
        _ = PQputCopyEnd(conn, "COPY is not supported through query()")
        while let pending = PQgetResult(conn) { PQclear(pending) }
    }

    static func copyResult(_ result: OpaquePointer) -> PGResult {
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        let columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
        var rows: [[String?]] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<Int32(rowCount) {
            var values: [String?] = []
            values.reserveCapacity(columnCount)
            for column in 0..<Int32(columnCount) {
                if PQgetisnull(result, row, column) == 1 {
                    values.append(nil)
                } else {
                    let length = Int(PQgetlength(result, row, column))
                    let bytes = UnsafeRawBufferPointer(start: PQgetvalue(result, row, column), count: length)
                    values.append(String(decoding: bytes, as: UTF8.self))
                }
            }
            rows.append(values)
        }
        let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
        return PGResult(columns: columns, rows: rows, affectedRows: affected)
    }

    /// Calls `body` with a NULL-terminated array of C strings.
    static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
        let owned: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        defer { owned.forEach { free($0) } }
        let pointers = owned.map { UnsafePointer($0) } + [nil]
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
