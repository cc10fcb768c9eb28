import AMQPClient
import Foundation
import Testing

/// `ops/servers up` when the servers already run, as the test servers do here.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ServersScriptTests {
    static let rabbitmqctl = "/usr/lib/rabbitmq/bin/rabbitmqctl"

    @Test("ops/servers up restarts a RabbitMQ node of this folder that refuses this checkout's credentials (one left running by an earlier checkout at the same path), then reuses it")
    func staleRabbitNode() throws {
        let node = ProcessInfo.processInfo.environment["COST_RABBIT_NODE"] ?? "costtracker@localhost"
        let adminURL = try IntegrationEnvironment.adminAMQPURL()
        let secret = try #require(IntegrationEnvironment.password(in: adminURL), "no password in COST_ADMIN_AMQP_URL")
        let servers = IntegrationEnvironment.packageRoot.appendingPathComponent("ops/servers")
        // Whatever happens below, the admin user ends with this checkout's password, so the
        // suites after this one can log in.
        defer { _ = try? Self.setAdminPassword(secret, node: node) }

        // The node as an earlier checkout at this path left it: same folder, other passwords.
        let changed = try Self.setAdminPassword("earlier-checkout-" + IntegrationEnvironment.uniqueSuffix(), node: node)
        try #require(changed.status == 0, "\(changed.combined)")
        #expect(throws: AMQPError.self, "this checkout's admin password should be refused now") {
            try AMQPConnection(config: AMQPConfig(url: adminURL)).close()
        }

        let restarted = try CommandRunner.run(servers, ["up"])
        #expect(restarted.status == 0, "\(restarted.combined)")
        #expect(restarted.standardError.contains("refuses this checkout's credentials"), "\(restarted.combined)")
        #expect(restarted.standardError.contains("RabbitMQ started"), "\(restarted.combined)")
        // Logs in with this checkout's password again (throws if refused).
        try AMQPConnection(config: AMQPConfig(url: adminURL)).close()

        let reused = try CommandRunner.run(servers, ["up"])
        #expect(reused.status == 0, "\(reused.combined)")
        #expect(reused.standardError.contains("RabbitMQ already running"), "\(reused.combined)")
        #expect(!reused.standardError.contains("refuses"), "\(reused.combined)")
    }

    /// `rabbitmqctl change_password costtracker-admin`, the password on standard input.
    private static func setAdminPassword(_ password: String, node: String) throws -> CommandRunner.Output {
        var environment = ProcessInfo.processInfo.environment
        environment["COST_TEST_PASSWORD"] = password
        return try CommandRunner.run(URL(fileURLWithPath: "/bin/bash"), [
            "-c", #"printf '%s' "$COST_TEST_PASSWORD" | "$1" -n "$2" change_password costtracker-admin"#,
            "bash", rabbitmqctl, node,
        ], environment: environment)
    }
}
