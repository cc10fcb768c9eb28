import Testing
import PostgresClient

@Suite("Postgres COPY", .serialized, .timeLimit(.minutes(2)))
struct PostgresCopyTests {
    static let tricky: [String?] = [
        "plain", "tab\there", "new\nline", "carriage\rreturn", "back\\slash", "\\N", "\\.", "",
        nil, "Zürich 😀", "'; DROP TABLE c; --", "mixed\t\\n\n\r\\",
    ]

    static func rows(_ count: Int) -> [[String?]] {
        (0..<count).map { index in
            [String(index), tricky[index % tricky.count], index % 7 == 0 ? nil : "v\(index)\t\(index)"]
        }
    }

    @Test func tenThousandRowsWithEscapesAndNullsRoundTripExactly() throws {
        let pg = try PostgresTestSupport.connect()
        try pg.query("CREATE TEMP TABLE c (id int PRIMARY KEY, a text, b text)")
        let rows = Self.rows(10_000)
        let copied = try pg.copyIn("COPY c (id, a, b) FROM STDIN", rows: rows)
        #expect(copied == 10_000)
        let back = try pg.query("SELECT id, a, b FROM c ORDER BY id")
        #expect(back.rows.count == rows.count)
        #expect(back.rows == rows)
        let nulls = rows.filter { $0[1] == nil }.count
        #expect(nulls > 0)
        #expect(try pg.query("SELECT count(*) FROM c WHERE a IS NULL").rows == [[String(nulls)]])
    }

    @Test func typedFieldsEncodeExactlyAsTheServerReadsThem() throws {
        var data = PGCopyData()
        let integers: [Int64] = [0, 7, 10, 99, 100, -1, -10, Int64.max, Int64.min, 1_234_567_890_123]
        for (index, value) in integers.enumerated() {
            data.add(Int64(index))
            data.add(value)
            data.add(index.isMultiple(of: 2))
            data.add(Self.tricky[index % Self.tricky.count])
            data.add(utf8: Array("bytes\t\(index)\n".utf8))
            data.addVerbatim { $0.append(contentsOf: "12.500000000".utf8) }
            data.endRow()
        }
        #expect(data.rowCount == integers.count)
        // The same texts through the row API encode to the same bytes.
        var viaRows = PGCopyData()
        viaRows.addRow(["1", nil, "a\tb"])
        var viaFields = PGCopyData()
        viaFields.add(Int64(1)); viaFields.addNull(); viaFields.add("a\tb"); viaFields.endRow()
        #expect(viaRows.bytes == viaFields.bytes)
        #expect(String(decoding: viaFields.bytes, as: UTF8.self) == "1\t\\N\ta\\tb\n")

        let pg = try PostgresTestSupport.connect()
        try pg.query("CREATE TEMP TABLE t (i int, v bigint, b boolean, s text, r text, d numeric(20,9))")
        #expect(try pg.copyIn("COPY t FROM STDIN", data: data) == integers.count)
        let back = try pg.query("SELECT v, b, s, r, d FROM t ORDER BY i")
        #expect(back.rows.map { $0[0] } == integers.map { String($0) })
        #expect(back.rows.map { $0[1] } == integers.indices.map { $0.isMultiple(of: 2) ? "t" : "f" })
        #expect(back.rows.map { $0[2] } == integers.indices.map { Self.tricky[$0 % Self.tricky.count] })
        #expect(back.rows.map { $0[3] } == integers.indices.map { "bytes\t\($0)\n" })
        #expect(back.rows.allSatisfy { $0[4] == "12.500000000" })
    }

    @Test func copyOfMoreThanOneChunkArrivesWhole() throws {
        var data = PGCopyData()
        let long = String(repeating: "x", count: 10_000)
        for index in 0..<50 { data.add(Int64(index)); data.add(long + "\t\(index)"); data.endRow() }
        #expect(data.bytes.count > 4 * 64 * 1024)
        let pg = try PostgresTestSupport.connect()
        try pg.query("CREATE TEMP TABLE big (i int, s text)")
        #expect(try pg.copyIn("COPY big FROM STDIN", data: data) == 50)
        #expect(try pg.query("SELECT count(*) FROM big WHERE s = $1 || chr(9) || i::text", [long]).rows == [["50"]])
    }

    @Test func copyRejectedByTheServerThrowsWithSqlState() throws {
        let pg = try PostgresTestSupport.connect()
        try pg.query("CREATE TEMP TABLE k (id int PRIMARY KEY)")
        #expect {
            try pg.copyIn("COPY k (id) FROM STDIN", rows: [["1"], ["1"]])
        } throws: { error in
            guard let error = error as? PGError else { return false }
            return error.kind == .copy && error.sqlState == "23505"
        }
        #expect {
            try pg.copyIn("COPY k (id) FROM STDIN", rows: [["not a number"]])
        } throws: { error in
            (error as? PGError)?.sqlState == "22P02"
        }
        // The connection is still in a usable state after the failed COPYs.
        #expect(try pg.copyIn("COPY k (id) FROM STDIN", rows: [["2"], ["3"]]) == 2)
        #expect(try pg.query("SELECT count(*) FROM k").rows == [["2"]])
    }

    @Test func nonCopyStatementIsRejected() throws {
        let pg = try PostgresTestSupport.connect()
        #expect(throws: PGError.self) { try pg.copyIn("SELECT 1", rows: [["1"]]) }
        #expect(try pg.query("SELECT 2 AS two")[0, "two"] == "2")
    }

    @Test func copyThroughputIsPrinted() throws {
        let pg = try PostgresTestSupport.connect()
        try pg.query("CREATE TEMP TABLE p (id int, agent text, model text, cost numeric, note text)")
        let rows: [[String?]] = (0..<50_000).map { index in
            [String(index), "agent-\(index % 100)", "model-x", "0.000123\(index % 10)", index % 5 == 0 ? nil : "n\t\(index)"]
        }
        let clock = ContinuousClock()
        let started = clock.now
        let copied = try pg.copyIn("COPY p FROM STDIN", rows: rows)
        let elapsed = clock.now - started
        #expect(copied == rows.count)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("PostgresCopyTests: COPY \(rows.count) rows in \(elapsed) = \(Int(Double(rows.count) / seconds)) rows/s")
    }
}
