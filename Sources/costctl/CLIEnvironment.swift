import AMQPClient
import ArgumentParser
import Foundation
import PostgresClient

/// Connection settings for costctl, with errors that say where to get them.
enum CLIEnvironment {
    static func value(_ name: String, purpose: String) throws -> String {
        guard let v = ProcessInfo.processInfo.environment[name], !v.isEmpty else {
            throw ValidationError("\(name) is not set (\(purpose)). For the local servers run: source .data/env "
                                  + "(or `eval \"$(ops/servers env)\"`)")
        }
        return v
    }

    static func postgres() throws -> PGConnection {
        let url = try value("COST_PG_URL", purpose: "the PostgreSQL URL")
        do {
            return try PGConnection(url: url, applicationName: "costctl")
        } catch {
            throw ValidationError("cannot reach PostgreSQL: \(error). Is it up? `ops/servers status` tells.")
        }
    }

    static func adminAMQP() throws -> AMQPConnection {
        try amqp("COST_ADMIN_AMQP_URL", purpose: "the RabbitMQ admin URL")
    }

    static func amqp(_ variable: String, purpose: String) throws -> AMQPConnection {
        let config = try AMQPConfig(url: try value(variable, purpose: purpose))
        do {
            return try AMQPConnection(config: config)
        } catch {
            throw ValidationError("cannot reach RabbitMQ at \(config.redactedURL): \(error). Is it up? `ops/servers status` tells.")
        }
    }
}

/// Writes progress lines to standard error, so standard output stays machine-readable.
func progress(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
