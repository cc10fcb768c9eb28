import Testing
import RedisClient

@Suite("Redis pub/sub", .serialized, .timeLimit(.minutes(1)))
struct RedisPubSubTests {
    @Test func subscriberReceivesAMessagePublishedByAnotherConnection() throws {
        let subscriber = try RedisTestSupport.connect()
        let publisher = try RedisTestSupport.connect()
        let channel = RedisTestSupport.uniquePrefix("pubsub") + "events"
        try subscriber.subscribe([channel])

        let payload: [UInt8] = Array(#"{"scope":"global","state":"open"}"#.utf8) + [0, 0xFF]
        let receivers = try publisher.command(bytes: [Array("PUBLISH".utf8), Array(channel.utf8), payload])
        #expect(receivers == .integer(1))

        let message = try #require(try subscriber.nextMessage(timeout: .seconds(2)))
        #expect(message.channel == channel)
        #expect(message.payload == payload)
    }

    @Test func nextMessageTimesOutWithNilAndTheConnectionKeepsWorking() throws {
        let subscriber = try RedisTestSupport.connect()
        let publisher = try RedisTestSupport.connect()
        let channel = RedisTestSupport.uniquePrefix("timeout") + "events"
        try subscriber.subscribe([channel])

        let clock = ContinuousClock()
        let started = clock.now
        #expect(try subscriber.nextMessage(timeout: .milliseconds(300)) == nil)
        let waited = clock.now - started
        #expect(waited >= .milliseconds(290) && waited < .seconds(2))
        #expect(subscriber.isOpen)

        for index in 1...3 { try publisher.command(["PUBLISH", channel, "m\(index)"]) }
        for index in 1...3 {
            let message = try #require(try subscriber.nextMessage(timeout: .seconds(2)))
            #expect(message.payload == Array("m\(index)".utf8))
        }
        #expect(try subscriber.nextMessage(timeout: .milliseconds(50)) == nil)
    }

    @Test func commandsAreRefusedWhileSubscribed() throws {
        let subscriber = try RedisTestSupport.connect()
        try subscriber.subscribe([RedisTestSupport.uniquePrefix("refuse") + "c"])
        #expect {
            try subscriber.command(["GET", "x"])
        } throws: { error in
            (error as? RedisError)?.kind == .invalidArgument
        }
    }
}
