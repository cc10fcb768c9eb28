import Testing
import PostgresClient

@Suite("Postgres connection", .serialized, .timeLimit(.minutes(2)))
struct PostgresConnectionTests {
    @Test func paramsAreStoredVerbatimIncludingNullUnicodeAndInjectionAttempts() throws {
        let pg = try PostgresTestSupport.connect()
        try pg.query("CREATE TEMP TABLE x (id int PRIMARY KEY, note text, extra text)")
        let hostile = "'; DROP TABLE x; --"
        let values: [String?] = [hostile, "O'Brien \"quoted\" \\ back", "Zürich €5 😀 日本", nil, ""]
        for (index, value) in values.enumerated() {
            let inserted = try pg.query("INSERT INTO x (id, note, extra) VALUES ($1, $2, $3)",
                                        [String(index), value, index == 3 ? nil : "e"])
            #expect(inserted.affectedRows == 1)
            #expect(inserted.rows.isEmpty)
        }
        let result = try pg.query("SELECT id, note, extra FROM x ORDER BY id")
        #expect(result.columns == ["id", "note", "extra"])
        #expect(result.rows.count == values.count)
        #expect(result.rows.map { $0[1] } == values)
        #expect(result[3, "extra"] == nil)
        #expect(result[4, "note"] == "")
        #expect(result[0, "id"] == "0")
        // The table survived the "DROP TABLE" inside the parameter.
        #expect(try pg.query("SELECT count(*) AS n FROM x")[0, "n"] == "5")

        let updated = try pg.query("UPDATE x SET extra = $1 WHERE id >= $2", ["z", "2"])
        #expect(updated.affectedRows == 3)
    }

    @Test func executeRunsAMultiStatementScript() throws {
        let pg = try PostgresTestSupport.connect()
        try pg.execute(script: """
            CREATE TEMP TABLE s (id int PRIMARY KEY, label text);
            INSERT INTO s VALUES (1, 'one');
            INSERT INTO s VALUES (2, 'two'), (3, 'three');
            UPDATE s SET label = upper(label) WHERE id = 2;
            """)
        let result = try pg.query("SELECT label FROM s ORDER BY id")
        #expect(result.rows == [["one"], ["TWO"], ["three"]])
    }

    @Test func transactionCommitsOnSuccessAndRollsBackWhenTheBodyThrows() throws {
        let pg = try PostgresTestSupport.connect()
        try pg.query("CREATE TEMP TABLE t (id int PRIMARY KEY)")

        let value = try pg.transaction { tx in
            try tx.query("INSERT INTO t VALUES (1)")
            try tx.query("INSERT INTO t VALUES (2)")
            return "done"
        }
        #expect(value == "done")

        #expect(throws: PostgresTestFailure(reason: "abort")) {
            try pg.transaction { tx in
                try tx.query("INSERT INTO t VALUES (3)")
                throw PostgresTestFailure(reason: "abort")
            }
        }
        #expect(try pg.query("SELECT id FROM t ORDER BY id").rows == [["1"], ["2"]])
        #expect(pg.isOpen)
    }

    @Test func transactionThrowsWhenCommitFails() throws {
        let pg = try PostgresTestSupport.connect()
        try pg.query("CREATE TEMP TABLE d (id int UNIQUE DEFERRABLE INITIALLY DEFERRED)")
        #expect {
            try pg.transaction { tx in
                try tx.query("INSERT INTO d VALUES (1)")
                try tx.query("INSERT INTO d VALUES (1)") // only checked at COMMIT
            }
        } throws: { error in
            (error as? PGError)?.sqlState == "23505"
        }
        #expect(try pg.query("SELECT count(*) FROM d").rows == [["0"]])
    }

    @Test func transactionThrowsWhenTheBodySwallowedAFailedStatement() throws {
        let pg = try PostgresTestSupport.connect()
        try pg.query("CREATE TEMP TABLE f (id int PRIMARY KEY)")
        #expect(throws: PGError.self) {
            try pg.transaction { tx in
                try tx.query("INSERT INTO f VALUES (1)")
                _ = try? tx.query("SELECT 1/0")
            }
        }
        #expect(try pg.query("SELECT count(*) FROM f").rows == [["0"]])
    }

    @Test func uniqueViolationReportsSqlState23505AndIsNotRetriable() throws {
        let pg = try PostgresTestSupport.connect()
        try pg.query("CREATE TEMP TABLE u (event_id text PRIMARY KEY)")
        try pg.query("INSERT INTO u VALUES ($1)", ["evt-1"])
        #expect {
            try pg.query("INSERT INTO u VALUES ($1)", ["evt-1"])
        } throws: { error in
            guard let error = error as? PGError else { return false }
            return error.kind == .query && error.sqlState == "23505" && !error.isRetriable
                && error.message.contains("duplicate key")
        }
        #expect(try pg.query("SELECT 1 AS one")[0, "one"] == "1")
    }

    @Test func badPasswordIsAConnectionErrorThatHidesThePassword() throws {
        let url = try PostgresTestSupport.url()
        let realPassword = try #require(PostgresTestSupport.password(in: url))
        let wrong = "wrong-\(UInt32.random(in: 0...UInt32.max))-pw"
        #expect {
            _ = try PGConnection(url: try PostgresTestSupport.url(url, withPassword: wrong))
        } throws: { error in
            guard let error = error as? PGError else { return false }
            let text = error.description
            return error.kind == .connection && text.contains("password authentication failed")
                && !text.contains(wrong) && !text.contains(realPassword)
        }
    }

    @Test func closedPortIsARetriableConnectionError() throws {
        let port = RedisTestSupport.closedLocalPort()
        let url = "postgresql://nobody:sekrit-pw@127.0.0.1:\(port)/nothing"
        #expect {
            _ = try PGConnection(url: url)
        } throws: { error in
            guard let error = error as? PGError else { return false }
            return error.kind == .connection && error.isRetriable && !error.description.contains("sekrit-pw")
        }
    }

    @Test func closedConnectionRefusesQueries() throws {
        let pg = try PostgresTestSupport.connect()
        #expect(pg.isOpen)
        pg.close()
        pg.close()
        #expect(!pg.isOpen)
        #expect(throws: PGError.self) { try pg.query("SELECT 1") }
    }

    @Test func terminatedBackendIsARetriableConnectionError() throws {
        let victim = try PostgresTestSupport.connect()
        let admin = try PostgresTestSupport.connect()
        let pid = try #require(try victim.query("SELECT pg_backend_pid() AS pid")[0, "pid"])
        #expect(try admin.query("SELECT pg_terminate_backend($1::int) AS ok", [pid])[0, "ok"] == "t")
        #expect {
            try victim.query("SELECT 1")
        } throws: { error in
            guard let error = error as? PGError else { return false }
            return error.kind == .connection && error.isRetriable
        }
        #expect(!victim.isOpen)
    }

    @Test func twentyThousandQueriesDoNotGrowResidentMemory() throws {
        let pg = try PostgresTestSupport.connect()
        func run(_ count: Int) throws {
            for index in 0..<count {
                let result = try pg.query("SELECT $1::int AS n, repeat('x', 1024) AS pad", [String(index)])
                guard result[0, "n"] == String(index), result.rows[0][1]?.utf8.count == 1024 else {
                    Issue.record("unexpected result \(result.rows)")
                    return
                }
            }
        }
        try run(2_000)  // warm-up
        let before = RedisTestSupport.residentBytes()
        try run(20_000)
        let growth = RedisTestSupport.residentBytes() - before
        // A leaked PGresult would cost >= 1 KiB per query, i.e. >= 20 MB here.
        #expect(growth < 6 * 1024 * 1024, "resident memory grew by \(growth) bytes")
    }
}
