import ArgumentParser

/// costctl: the admin CLI of the cost tracker.
struct CostCTL: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "costctl",
        abstract: "Administer the LLM cost tracker: schema, pricing, dead letters, a simulated fleet, status, benchmarks.",
        discussion: """
            Connection settings come from the environment, as `ops/servers env` prints them:
              COST_PG_URL          PostgreSQL (migrate, pricing, status, bench)
              COST_ADMIN_AMQP_URL  RabbitMQ admin user (dlq, status, bench)
              COST_AGENT_AMQP_URL  RabbitMQ agent user (fleet)
            Typical first run:  costctl migrate && costctl pricing import ops/pricing/catalog.json
            """,
        subcommands: [MigrateCommand.self, PricingCommand.self, BudgetCommand.self, CreditsCommand.self, AlertsCommand.self,
                      KeysCommand.self, OverrideCommand.self, TripCommand.self, ResetCommand.self, BreakerStatusCommand.self,
                      DLQCommand.self, FleetCommand.self,
                      StatusCommand.self, SecurityCommand.self, BenchCommand.self])
}

CostCTL.main()
