import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle

/// `/metrics` (Prometheus text), `/healthz` (the loop is alive) and `/readyz` (connected
/// to the broker and backends) for one worker process.
public enum ObservabilityServer {
    public static func make(host: String, port: Int, registry: PrometheusCollectorRegistry, health: HealthState,
                            logger: Logger, onBound: @escaping @Sendable (Int) -> Void = { _ in }) -> some Service {
        let router = Router()
        router.get("metrics") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                     body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        router.get("healthz") { _, _ -> Response in
            let live = health.isLive(nowUnixSeconds: SystemClock.unixMilliseconds / 1000)
            return text(live ? .ok : .serviceUnavailable, live ? "live\n" : "consume loop stalled\n")
        }
        router.get("readyz") { _, _ -> Response in
            let s = health.snapshot
            let ready = health.isReady
            var lines = ["ready: \(ready)", "broker_connected: \(s.brokerConnected)",
                         "backends_connected: \(s.backendsConnected)", "stopping: \(s.stopping)",
                         "processed: \(s.stored)", "dead_lettered: \(s.deadLettered)"]
            if let e = s.lastError { lines.append("last_error: \(e)") }
            return text(ready ? .ok : .serviceUnavailable, lines.joined(separator: "\n") + "\n")
        }
        return Application(router: router, configuration: .init(address: .hostname(host, port: port)),
                           onServerRunning: { channel in onBound(channel.localAddress?.port ?? port) },
                           logger: logger)
    }

    private static func text(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
