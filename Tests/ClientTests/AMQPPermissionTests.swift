import Testing
import AMQPClient

extension AMQPIntegrationTests {
    /// The agent user may publish usage events and nothing else (ops/rabbitmq/definitions.json).
    @Suite struct Permissions {
        @Test func agentPublishingToTheControlExchangeIsRefused() throws {
            let agent = try AMQPConnection(config: AMQPConfig(url: try AMQPTestSupport.requiredEnv("COST_AGENT_AMQP_URL")))
            try agent.enableConfirms()
            var refusal: AMQPError?
            do {
                try agent.publish(exchange: "cost.control", routingKey: "command", body: Array("{}".utf8))
                try agent.waitForConfirms(timeout: .seconds(5))
            } catch {
                refusal = error
            }
            let error = try #require(refusal, "publishing to cost.control as the agent was not refused")
            #expect(error.kind == .accessRefused)
            #expect(error.replyCode == 403)
            #expect(!error.isRetriable)
            #expect(!agent.isOpen)
        }

        @Test func agentPublishingAUsageEventIsConfirmed() throws {
            // A routing key outside usage.# reaches no worker queue, so this test leaves nothing
            // behind for suites that use the real topology; the permission check is the same.
            let agent = try AMQPConnection(config: AMQPConfig(url: try AMQPTestSupport.requiredEnv("COST_AGENT_AMQP_URL")))
            try agent.enableConfirms()
            let sequence = try agent.publish(
                exchange: "cost.usage", routingKey: "permission-check.test", body: Array(#"{"schema":"amqp-client-test"}"#.utf8),
                properties: AMQPProperties(contentType: "application/json", messageID: AMQPTestSupport.uniqueName("evt")))
            #expect(sequence == 1)
            try agent.waitForConfirms(timeout: .seconds(5))
            #expect(agent.unconfirmedCount == 0)
            #expect(agent.isOpen)
        }
    }
}
