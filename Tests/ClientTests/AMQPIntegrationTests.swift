import Testing

/// Every AMQP suite that talks to the real broker nests in here, so they run one at a time
/// (the memory test measures this process's resident size and must not overlap others).
/// Needs COST_ADMIN_AMQP_URL / COST_AGENT_AMQP_URL: run ops/servers up and source .data/env.
@Suite(.serialized, .timeLimit(.minutes(5)))
enum AMQPIntegrationTests {}
