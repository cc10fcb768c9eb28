import Testing
import AMQPClient

extension AMQPIntegrationTests {
    /// What a caller sees when the broker says no, and whether retrying makes sense.
    @Suite struct Failures {
        @Test func passiveDeclareOfAMissingQueueIsNotFoundAndNotRetriable() throws {
            let connection = try AMQPTestSupport.admin()
            let missing = AMQPTestSupport.uniqueName("missing")
            #expect {
                try connection.declareQueue(missing, passive: true)
            } throws: { error in
                guard let error = error as? AMQPError else { return false }
                return error.kind == .notFound && error.replyCode == 404 && !error.isRetriable
                    && error.message.contains(missing)
            }
            #expect(!connection.isOpen)
            #expect {
                try connection.purgeQueue(missing)
            } throws: { error in
                (error as? AMQPError)?.kind == .connectionClosed
            }
        }

        @Test func wrongPasswordIsAnAuthenticationErrorThatHidesThePassword() throws {
            var config = try AMQPTestSupport.adminConfig()
            config.password = "definitely-Wrong-pw-7781"
            #expect {
                _ = try AMQPConnection(config: config)
            } throws: { error in
                guard let error = error as? AMQPError else { return false }
                return error.kind == .authentication && !error.isRetriable
                    && !error.description.contains("definitely-Wrong-pw-7781")
                    && error.description.contains(config.user)
            }
        }

        @Test func unknownVhostIsAccessRefused() throws {
            var config = try AMQPTestSupport.adminConfig()
            config.vhost = AMQPTestSupport.uniqueName("novhost")
            #expect {
                _ = try AMQPConnection(config: config)
            } throws: { error in
                guard let error = error as? AMQPError else { return false }
                return error.kind == .accessRefused && !error.isRetriable && !error.description.contains(config.password)
            }
        }

        @Test func closedPortIsARetriableConnectionError() throws {
            let config = AMQPConfig(host: "127.0.0.1", port: 1, user: "u", password: "pw-xyz")
            #expect {
                _ = try AMQPConnection(config: config)
            } throws: { error in
                guard let error = error as? AMQPError else { return false }
                return error.kind == .connection && error.isRetriable && !error.description.contains("pw-xyz")
            }
        }

        @Test func tlsToThePlainPortFailsWithAClearError() throws {
            var config = try AMQPTestSupport.adminConfig()
            config.tls = AMQPTLSConfig(verifyPeer: false, verifyHostname: false)
            config.connectTimeout = .seconds(3)
            #expect {
                _ = try AMQPConnection(config: config)
            } throws: { error in
                guard let error = error as? AMQPError else { return false }
                return error.kind == .connection && error.message.contains("TLS")
                    && !error.description.contains(config.password)
            }
        }

        @Test func aMissingCACertificateIsAnInvalidArgument() throws {
            var config = try AMQPTestSupport.adminConfig()
            config.tls = AMQPTLSConfig(caCertificatePath: "/nonexistent/ca.pem")
            #expect {
                _ = try AMQPConnection(config: config)
            } throws: { error in
                guard let error = error as? AMQPError else { return false }
                return error.kind == .invalidArgument && error.message.contains("/nonexistent/ca.pem")
            }
        }

        @Test func redeclaringAQueueWithOtherArgumentsIsPreconditionFailed() throws {
            let queue = AMQPTestSupport.uniqueName("conflict")
            defer { AMQPTestSupport.deleteQueues(queue) }
            let connection = try AMQPTestSupport.admin()
            try AMQPTestSupport.declareTemporaryQueue(connection, queue)
            #expect {
                try connection.declareQueue(queue, durable: true)
            } throws: { error in
                guard let error = error as? AMQPError else { return false }
                return error.kind == .preconditionFailed && error.replyCode == 406 && !error.isRetriable
            }
            #expect(!connection.isOpen)
        }

        @Test func oneConnectionDoesNotBothConfirmAndConsume() throws {
            let queue = AMQPTestSupport.uniqueName("exclusive")
            defer { AMQPTestSupport.deleteQueues(queue) }
            let publisher = try AMQPTestSupport.admin()
            try AMQPTestSupport.declareTemporaryQueue(publisher, queue)
            try publisher.enableConfirms()
            #expect {
                try publisher.consume(queue: queue)
            } throws: { error in
                (error as? AMQPError)?.kind == .invalidArgument
            }
            let consumer = try AMQPTestSupport.admin()
            try consumer.consume(queue: queue)
            #expect {
                try consumer.enableConfirms()
            } throws: { error in
                (error as? AMQPError)?.kind == .invalidArgument
            }
            #expect(publisher.isOpen && consumer.isOpen)
        }
    }
}
