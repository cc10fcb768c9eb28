import Testing
@testable import AMQPClient

@Suite struct AMQPConfigTests {
    @Test func parsesAFullURL() throws {
        let config = try AMQPConfig(url: "amqp://worker:s3cret@127.0.0.1:5682/costtracker")
        #expect(config.host == "127.0.0.1")
        #expect(config.port == 5682)
        #expect(config.user == "worker")
        #expect(config.password == "s3cret")
        #expect(config.vhost == "costtracker")
        #expect(config.tls == nil)
        #expect(config.heartbeatSeconds == 30)
        #expect(config.frameMax == 131_072)
        #expect(config.connectTimeout == .seconds(5))
    }

    @Test func redactsThePassword() throws {
        let config = try AMQPConfig(url: "amqp://worker:s3cret@127.0.0.1:5682/costtracker")
        #expect(config.redactedURL == "amqp://worker:***@127.0.0.1:5682/costtracker")
        #expect(!"\(config)".contains("s3cret"))
        let root = AMQPConfig(user: "guest", password: "pw", vhost: "/")
        #expect(root.redactedURL == "amqp://guest:***@127.0.0.1:5672/%2F")
    }

    @Test func percentDecodesUserPasswordAndVhost() throws {
        let config = try AMQPConfig(url: "amqp://us%40er:p%3Ass%2Fw%25rd@rabbit.local/%2f")
        #expect(config.user == "us@er")
        #expect(config.password == "p:ss/w%rd")
        #expect(config.vhost == "/")
        #expect(config.host == "rabbit.local")
        #expect(config.port == 5672)
        #expect(config.redactedURL == "amqp://us%40er:***@rabbit.local:5672/%2F")
    }

    @Test func emptyOrMissingPathIsTheRootVhost() throws {
        #expect(try AMQPConfig(url: "amqp://u:p@h:1234").vhost == "/")
        #expect(try AMQPConfig(url: "amqp://u:p@h:1234/").vhost == "/")
    }

    @Test func missingCredentialsDefaultToGuest() throws {
        let config = try AMQPConfig(url: "amqp://localhost")
        #expect(config.user == "guest")
        #expect(config.password == "guest")
        #expect(config.host == "localhost")
    }

    @Test func amqpsTurnsOnVerifiedTLSAndPort5671() throws {
        let config = try AMQPConfig(url: "amqps://u:p@broker.example/v")
        #expect(config.port == 5671)
        let tls = try #require(config.tls)
        #expect(tls.verifyPeer)
        #expect(tls.verifyHostname)
        #expect(config.redactedURL == "amqps://u:***@broker.example:5671/v")
    }

    @Test func readsIPv6HostsAndQueryParameters() throws {
        let config = try AMQPConfig(url: "amqp://u:p@[::1]:5700/v?heartbeat=10&frame_max=8192&connection_timeout=1500&x=y")
        #expect(config.host == "::1")
        #expect(config.port == 5700)
        #expect(config.heartbeatSeconds == 10)
        #expect(config.frameMax == 8192)
        #expect(config.connectTimeout == .milliseconds(1500))
        #expect(config.redactedURL == "amqp://u:***@[::1]:5700/v")
    }

    @Test(arguments: [
        "http://u:hunter2pw@h/v",
        "amqp://u:hunter2pw@h:notaport/v",
        "amqp://u:hunter2pw@h:70000/v",
        "amqp://u:hunter2pw%zz@h/v",
        "amqp://u:hunter2pw@h/a/b",
        "amqp://u:hunter2pw@[::1/v",
        "amqp://u:hunter2pw@h/v?heartbeat=-1",
    ])
    func rejectsBadURLsWithoutShowingThePassword(url: String) {
        #expect {
            try AMQPConfig(url: url)
        } throws: { error in
            guard let error = error as? AMQPError else { return false }
            return error.kind == .invalidArgument && !error.isRetriable
                && !error.description.contains("hunter2pw") && !error.message.contains("hunter2pw")
        }
    }
}
