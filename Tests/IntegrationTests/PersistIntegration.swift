import Testing

/// Every integration suite of the persist worker, nested here so that they run one at a
/// time: one of them stops PostgreSQL for 10 s and another uses the real `cost.usage.*`
/// queues, and neither may overlap another test that needs those.
@Suite(.serialized, .timeLimit(.minutes(10)))
enum PersistIntegration {}
