import Testing
import RedisClient

@Suite("Redis connection", .serialized, .timeLimit(.minutes(2)))
struct RedisConnectionTests {
    @Test func urlParsingReadsEveryPartAndRedactsThePassword() throws {
        let config = try RedisConfig(url: "redis://:s3cret%21@cache.internal:6390/7")
        #expect(config.host == "cache.internal")
        #expect(config.port == 6390)
        #expect(config.password == "s3cret!")
        #expect(config.database == 7)
        #expect(config.redactedURL == "redis://:***@cache.internal:6390/7")
        #expect(!config.redactedURL.contains("s3cret"))

        let acl = try RedisConfig(url: "redis://worker:pw@10.0.0.5")
        #expect(acl.username == "worker")
        #expect(acl.password == "pw")
        #expect(acl.port == 6379 && acl.database == 0)

        let plain = try RedisConfig(url: "redis://localhost")
        #expect(plain.password == nil)
        #expect(plain.redactedURL == "redis://localhost:6379/0")
    }

    @Test func badURLsAreRejectedWithoutEchoingThePassword() {
        for url in ["http://:hunter2@host", "redis://:hunter2@host:notaport", "redis://:hunter2@host/abc"] {
            #expect {
                _ = try RedisConfig(url: url)
            } throws: { error in
                guard let error = error as? RedisError else { return false }
                return error.kind == .invalidArgument && !error.description.contains("hunter2")
            }
        }
    }

    /// `ops/servers` runs Redis with its append-only file fsynced before every reply, so a write
    /// a worker saw succeed (and acked its message for) survives a machine crash, not only a
    /// killed server; `hashFields` reads CONFIG GET's name/value pairs.
    @Test func serversRedisSyncsEveryWriteToDiskBeforeAnswering() throws {
        let redis = try RedisTestSupport.connect()
        let config = try redis.command(["CONFIG", "GET", "append*"]).hashFields
        #expect(config["appendonly"] == "yes", "\(config)")
        #expect(config["appendfsync"] == "always", "\(config)")
        let key = RedisTestSupport.uniquePrefix("fsync") + "value"
        try redis.command(["SET", key, "1"])
        let info = try #require(try redis.command(["INFO", "persistence"]).string)
        #expect(info.contains("aof_enabled:1"), "\(info)")
        #expect(info.contains("aof_last_write_status:ok"), "\(info)")
        try redis.command(["DEL", key])
    }

    @Test func setAndGetRoundTripBinaryValues() throws {
        let redis = try RedisTestSupport.connect()
        let key = RedisTestSupport.uniquePrefix("binary") + "value"
        let value: [UInt8] = [0, 1, 2, 0xFF, 0x0D, 0x0A, 0, 0x80, 0x7F]
        let set = try redis.command(bytes: [Array("SET".utf8), Array(key.utf8), value])
        #expect(set == .status("OK"))
        #expect(try redis.command(["GET", key]) == .bulk(value))
        #expect(try redis.command(["GET", key + ":missing"]) == .null)
        try redis.command(["DEL", key])
    }

    @Test func incrbyReturnsTheNewTotal() throws {
        let redis = try RedisTestSupport.connect()
        let key = RedisTestSupport.uniquePrefix("incr") + "counter"
        #expect(try redis.command(["INCRBY", key, "5"]).int == 5)
        #expect(try redis.command(["INCRBY", key, "37"]) == .integer(42))
        #expect(try redis.command(["GET", key]).int == 42)
        try redis.command(["DEL", key])
    }

    @Test func serverErrorReplyThrowsAndTheConnectionStaysUsable() throws {
        let redis = try RedisTestSupport.connect()
        let key = RedisTestSupport.uniquePrefix("wrongtype") + "list"
        try redis.command(["RPUSH", key, "a"])
        #expect {
            try redis.command(["INCR", key])
        } throws: { error in
            guard let error = error as? RedisError else { return false }
            return error.kind == .server && error.message.hasPrefix("WRONGTYPE") && !error.isRetriable
        }
        #expect(try redis.command(["PING"]) == .status("PONG"))
        try redis.command(["DEL", key])
    }

    @Test func pipelineKeepsAnErrorInPlace() throws {
        let redis = try RedisTestSupport.connect()
        let prefix = RedisTestSupport.uniquePrefix("pipeline")
        let replies = try redis.pipeline([
            ["SET", prefix + "a", "1"],
            ["INCRBY", prefix + "a", "not-a-number"],
            ["INCRBY", prefix + "a", "2"],
            ["GET", prefix + "a"],
        ])
        #expect(replies.count == 4)
        #expect(replies[0] == .status("OK"))
        #expect(replies[1].errorMessage?.hasPrefix("ERR") == true)
        #expect(replies[2] == .integer(3))
        #expect(replies[3].string == "3")
        try redis.command(["DEL", prefix + "a"])
    }

    @Test func wrongPasswordFailsWithoutRevealingIt() throws {
        var config = try RedisTestSupport.config()
        let realPassword = try #require(config.password, "COST_REDIS_URL should carry a password")
        let wrong = "wrong-\(UInt32.random(in: 0...UInt32.max))-pw"
        config.password = wrong
        #expect {
            _ = try RedisConnection(config: config)
        } throws: { error in
            guard let error = error as? RedisError else { return false }
            let text = error.description
            return error.kind == .server && text.contains("authentication failed")
                && !text.contains(wrong) && !text.contains(realPassword) && !error.isRetriable
        }
    }

    @Test func connectionRefusedIsRetriable() throws {
        let port = RedisTestSupport.closedLocalPort()
        let config = RedisConfig(host: "127.0.0.1", port: port, password: "not-this-one", timeout: .seconds(2))
        #expect {
            _ = try RedisConnection(config: config)
        } throws: { error in
            guard let error = error as? RedisError else { return false }
            return error.kind == .connection && error.isRetriable && !error.description.contains("not-this-one")
        }
    }

    @Test func commandTimeoutIsRetriableAndClosesTheConnection() throws {
        var config = try RedisTestSupport.config()
        config.timeout = .milliseconds(300)
        let redis = try RedisConnection(config: config)
        let key = RedisTestSupport.uniquePrefix("timeout") + "empty-list"
        #expect {
            try redis.command(["BLPOP", key, "5"])
        } throws: { error in
            guard let error = error as? RedisError else { return false }
            return error.kind == .timeout && error.isRetriable
        }
        // hiredis cannot resynchronise after a timed-out read: the connection is dropped.
        #expect(!redis.isOpen)
        #expect {
            try redis.command(["PING"])
        } throws: { error in
            (error as? RedisError)?.kind == .closed
        }
    }

    @Test func closedConnectionThrowsClosed() throws {
        let redis = try RedisTestSupport.connect()
        #expect(redis.isOpen)
        redis.close()
        redis.close()
        #expect(!redis.isOpen)
        #expect {
            try redis.command(["PING"])
        } throws: { error in
            (error as? RedisError)?.kind == .closed
        }
    }

    @Test func fiftyThousandCommandsDoNotGrowResidentMemory() throws {
        let redis = try RedisTestSupport.connect()
        let key = RedisTestSupport.uniquePrefix("leak") + "value"
        let value = [UInt8](repeating: 0x61, count: 1024)
        let set = [Array("SET".utf8), Array(key.utf8), value]
        func run(_ pairs: Int) throws {
            for _ in 0..<pairs {
                try redis.command(bytes: set)
                let reply = try redis.command(["GET", key])
                guard case .bulk(let bytes) = reply, bytes.count == 1024 else {
                    Issue.record("GET returned \(reply)")
                    return
                }
            }
        }
        try run(2_500)  // warm-up
        let before = RedisTestSupport.residentBytes()
        try run(25_000) // 50,000 commands
        let after = RedisTestSupport.residentBytes()
        let growth = after - before
        // A leaked reply would cost >= 1 KiB per GET, i.e. >= 25 MB here.
        #expect(growth < 6 * 1024 * 1024, "resident memory grew by \(growth) bytes")
        try redis.command(["DEL", key])
    }
}
