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
