import AgentSDK
import ArgumentParser
import CostCore
import Foundation
import Synchronization
import WorkerRuntime

/// Set by SIGINT/SIGTERM so long-running commands stop cleanly.
let interrupted = Atomic<Bool>(false)

func installInterruptHandler() {
    signal(SIGINT) { _ in interrupted.store(true, ordering: .relaxed) }
    signal(SIGTERM) { _ in interrupted.store(true, ordering: .relaxed) }
    // A launcher may start us with these blocked (a spawning thread's mask is inherited).
    var signals = sigset_t()
    sigemptyset(&signals)
    sigaddset(&signals, SIGINT)
    sigaddset(&signals, SIGTERM)
    pthread_sigmask(SIG_UNBLOCK, &signals, nil)
}

struct FleetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract: "Run a simulated agent fleet that publishes usage events at a steady rate.",
        discussion: """
            Publishes as the agent user (COST_AGENT_AMQP_URL) with publisher confirms, exactly as a real agent \
            would: a mix of OpenAI, Anthropic, Google, Mistral and DeepSeek models, sessions, prompt caching, \
            reasoning tokens, some errors, and a model the catalog does not know. Prints progress every second; \
            Ctrl-C stops it after the buffered events are confirmed.
              costctl fleet --rate 500 --agents 50            # until Ctrl-C
              costctl fleet --rate 5000 --count 100000
            """)

    @Option(help: "Events per second.")
    var rate: Int = 200

    @Option(help: "Number of simulated agents (the rate is shared among them: at 200 events/s, 400 agents call every 2 s each; a few agents at a high rate look like runaway loops to cost-anomaly).")
    var agents: Int = 400

    @Option(help: "Stop after this many events (default: run until Ctrl-C).")
    var count: Int?

    @Option(help: "Stop after this many seconds.")
    var duration: Double?

    @Option(help: "Random seed, for a reproducible mix.")
    var seed: UInt64 = 42

    @Option(name: .customLong("run-id"), help: "Prefix of every event_id (default: a fresh one per run).")
    var runID: String?

    @Flag(help: "No progress lines.")
    var quiet = false

    func validate() throws {
        guard (1...1_000_000).contains(rate) else { throw ValidationError("--rate must be 1…1000000 events per second") }
        guard (1...1_000_000).contains(agents) else { throw ValidationError("--agents must be 1…1000000") }
        if let count, count < 1 { throw ValidationError("--count must be positive") }
    }

    func run() throws {
        installInterruptHandler()
        let url = try CLIEnvironment.value("COST_AGENT_AMQP_URL", purpose: "the RabbitMQ URL of the agent user")
        let publisher = try UsagePublisher(url: url, clock: SystemClock.now)
        let run = runID ?? "fleet-\(SystemClock.unixMilliseconds)"
        var fleet = SimulatedFleet(agents: agents, seed: seed, runID: run)
        let stats = try drive(publisher: publisher, fleet: &fleet, rate: rate, count: count, duration: duration, quiet: quiet)
        progress("flushing \(publisher.buffered) unconfirmed event(s)…")
        let flushed = publisher.flush(timeout: .seconds(30))
        publisher.close()
        print("published \(stats.published) events in \(String(format: "%.1f", stats.seconds)) s "
              + "(\(Int(Double(stats.published) / max(stats.seconds, 0.001)))/s), run id \(run)"
              + (flushed ? "" : "; \(publisher.buffered) still unconfirmed"))
        if !flushed { throw ExitCode(1) }
    }
}

/// Publishes events from `fleet` at `rate` per second until `count`, `duration` or Ctrl-C.
func drive(publisher: UsagePublisher, fleet: inout SimulatedFleet, rate: Int, count: Int?, duration: Double?,
           quiet: Bool) throws -> (published: Int, seconds: Double) {
    let start = ContinuousClock.now
    var published = 0
    var lastReport = start
    var lastReported = 0
    while !interrupted.load(ordering: .relaxed) {
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        if let duration, seconds >= duration { break }
        if let count, published >= count { break }
        let due = min(Int(seconds * Double(rate)) + 1, count ?? Int.max)
        if published >= due {
            Thread.sleep(forTimeInterval: 0.001)
        } else {
            while published < due {
                do {
                    try publisher.publish(fleet.next(at: SystemClock.now()))
                    published += 1
                } catch {
                    progress("publish held back: \(error)")
                    Thread.sleep(forTimeInterval: 0.5)
                    break
                }
            }
        }
        let now = ContinuousClock.now
        if !quiet && now - lastReport >= .seconds(1) {
            let window = now - lastReport
            let windowSeconds = Double(window.components.seconds) + Double(window.components.attoseconds) / 1e18
            progress("published \(published)  (\(Int(Double(published - lastReported) / windowSeconds))/s)  "
                     + "awaiting confirm \(publisher.buffered)" + (publisher.isConnected ? "" : "  [broker unreachable, buffering]"))
            lastReport = now
            lastReported = published
        }
    }
    let total = ContinuousClock.now - start
    return (published, Double(total.components.seconds) + Double(total.components.attoseconds) / 1e18)
}
