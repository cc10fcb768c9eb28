import AgentSDK
import AnomalyKit
import ArgumentParser
import CostCore
import CostStore
import Foundation
import PostgresClient
import RedisClient
import WorkerRuntime

struct AnomalyBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "anomaly",
        abstract: "Precision and recall of the risk scorer per attack type on generated scenarios, and its speed.",
        discussion: """
            Generates normal diurnal traffic for --agents agents over --days simulated days (the first is warm-up) with \
            labelled attacks injected (runaway loop, token stuffing, provider hopping, slow-drip spend, a switch to an \
            expensive model, cost under-reporting), scores every event in occurred_at order, and prints per attack \
            type the recall at HIGH or above and the precision, then the share of normal events scored MEDIUM or above. \
            Targets: recall ≥ 0.90 for every attack type, < 1 % of normal events MEDIUM or above.

            The scorer names no attack, so precision per type is a classifier's: each event scored HIGH or above is \
            attributed to the attack its strongest factor stands for (rate: runaway loop; spike: expensive model; \
            efficiency: token stuffing, or cost under-reporting when the reported cost is flagged as mismatched; \
            switching: provider hopping; history: slow drip), and the precision is the share of the events attributed \
            to the type that belong to such an attack. The line "attributed to another type" says what the rest were.

            With --drip-bound, each seed's report is followed by a yardstick for its slow-drip recall: the best recall \
            a volume detector reaches that knows each agent's normal traffic from 84 other simulated days of the same \
            agents and flags 1 % of it (per agent, for windows of 1, 3, 6 and 12 hours of calls or spend; about 10 s \
            per seed), and again with only the scenario's warm-up day as its expectation (what the scorer had). A drip \
            adds ordinary calls, so volume is all it shows.

            Then (unless --worker-events 0) the worker's speed: simulated fleet events (200 agents, about one call a \
            minute each; --warmup-events untimed ones first) are drained through the anomaly worker's own code \
            (pricing, shared state in Redis database 13, outputs to a scratch database) and compared with the raw Redis \
            round trips it needs for the same batches through the same client: the pipelined read of agent states, \
            session states and seen markers, and the compare-and-set writing them back, without scoring. The timed \
            events are split into --rounds rounds; each is a worker run (the loops start afresh on a pre-filled scratch \
            queue; their first batch is not timed) followed at once by the raw run on the events it timed, so a \
            machine whose speed drifts moves both sides of a round alike. Each round's ratio is printed, then the \
            medians. Target: worker ≥ 0.60 × raw. Also printed: the worker's CPU time per event (this process's \
            user + system time while its loops ran), which other load on the machine moves less than the rates, and \
            how many compare-and-sets the loops lost to each other and redid (none while they take turns at an agent; \
            --no-turns shows what the turns save).
            """)

    @Option(help: "Scenario seeds, comma-separated.") var seeds: String = "1,2,3"
    @Option(help: "Simulated agents per scenario (1–2000).") var agents: Int = 50
    @Option(help: "Simulated days per scenario, the first being warm-up (2–60).") var days: Int = 3
    @Flag(name: .customLong("held-out"), help: ArgumentHelp(
        "Instead of --seeds/--agents/--days: the 55-run held-out set (3, 5 and 8 days at 50 agents, 3 days at 100, 5 at 30; seeds 1–3 and 11–18), one line per run and a summary (a few minutes)."))
    var heldOut = false
    @Flag(name: .customLong("drip-bound"), help: ArgumentHelp(
        "After each seed's report, the slow-drip recall an oracle volume detector reaches at 1 % false positives (see below)."))
    var dripBound = false
    @Option(name: .customLong("drip-peak"), help: ArgumentHelp(
        "The range the slow drip's peak is drawn from, as LOW-HIGH times the agent's normal spend (the repo's scenario: 3-8); a bolder drip such as 10-30 shows how the detector fares when the drip is not subtle.",
        valueName: "low-high"))
    var dripPeak: String = "3-8"
    @Flag(name: .customLong("milder-attacks"), help: ArgumentHelp(
        "Draw loops, token stuffing, provider hopping and under-reporting weaker than the repo's scenario: loops at 5–15× the agent's busy rate (at least 3 calls a minute), stuffing 3–8× the input, hopping over 2–3 models, reports of 30–60 % of the catalog cost. Shows how the detector fares when an attack is not blatant (the slow drip has --drip-peak; the expensive model is unchanged)."))
    var milderAttacks = false
    @Option(name: .customLong("worker-events"), help: "Events for the worker-vs-raw-Redis run (0 skips it).")
    var workerEvents: Int = 100_000
    @Option(name: .customLong("warmup-events"), help: "Untimed events drained first, so the agents have some history.")
    var warmupEvents: Int = 20_000
    @Option(help: "Rounds the timed events are split into, each a worker run followed by the raw run on its events; the median ratio is the result.")
    var rounds: Int = 5
    @Option(help: "Consume loops of the worker under test.") var loops: Int = 2
    @Flag(name: .customLong("no-state-cache"), help: ArgumentHelp(
        "Run the worker without its cache of the agent states it wrote (every state read is decoded), to measure what the cache saves."))
    var noStateCache = false
    @Flag(name: .customLong("no-turns"), help: ArgumentHelp(
        "Let the worker's loops score the same agents at once, leaving their conflicts to the compare-and-set (each lost one is read and scored again), to measure what taking turns saves."))
    var noTurns = false

    @Option(name: .customLong("write-parts"), help: ArgumentHelp(
        "Parts the worker scores a batch in, sending each part's compare-and-sets to Redis while it scores the next (1: all once the batch is scored), to measure what the overlap gains."))
    var writeParts = 4
    @Option(name: .customLong("batch-size")) var batchSize: Int = 500
    @Option(help: "Pricing catalog to load into the scratch database.") var catalog: String = "ops/pricing/catalog.json"

    func validate() throws {
        _ = try seedList()
        _ = try dripPeakRange()
        guard !(dripBound && heldOut) else {
            throw ValidationError("--drip-bound measures the --seeds scenarios; leave out --held-out to use it")
        }
        guard (1...2000).contains(agents) else { throw ValidationError("--agents must be between 1 and 2000 (got \(agents))") }
        guard (2...60).contains(days) else {
            throw ValidationError("--days must be between 2 and 60 (got \(days)): the first day is warm-up, not scored")
        }
        guard workerEvents >= 0 else { throw ValidationError("--worker-events must be 0 (skip) or more (got \(workerEvents))") }
        guard warmupEvents >= 0 else { throw ValidationError("--warmup-events must be 0 or more (got \(warmupEvents))") }
        guard rounds >= 1 else { throw ValidationError("--rounds must be at least 1 (got \(rounds))") }
        guard (1...64).contains(writeParts) else { throw ValidationError("--write-parts must be between 1 and 64 (got \(writeParts))") }
        guard (1...64).contains(loops), batchSize >= 1 else {
            throw ValidationError("--loops must be 1–64 and --batch-size at least 1 (got \(loops) and \(batchSize))")
        }
        guard workerEvents == 0 || workerEvents / rounds > loops * batchSize else {
            throw ValidationError("--worker-events (\(workerEvents)) must give each of the \(rounds) rounds more than "
                + "--loops × --batch-size (\(loops * batchSize)) events: each loop's first batch is not timed")
        }
    }

    private func dripPeakRange() throws -> ClosedRange<Double> {
        let parts = dripPeak.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let low = Double(parts[0]), let high = Double(parts[1]), low.isFinite, high.isFinite else {
            throw ValidationError("--drip-peak: '\(dripPeak)' is not a range; give LOW-HIGH in times the agent's normal spend, e.g. 3-8 or 10-30")
        }
        guard low > 1, low <= high, high <= 1000 else {
            throw ValidationError("--drip-peak: \(dripPeak) must satisfy 1 < LOW ≤ HIGH ≤ 1000 (a drip at 1× adds nothing)")
        }
        return low...high
    }

    private func config(seed: UInt64, agents: Int, days: Int) -> AnomalyScenario.Config {
        AnomalyScenario.Config(seed: seed, agents: agents, days: days, dripPeak: (try? dripPeakRange()) ?? 3...8,
                               milderAttacks: milderAttacks)
    }

    private func seedList() throws -> [UInt64] {
        let parts = seeds.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let parsed = parts.map { UInt64($0) }
        if let bad = parts.indices.first(where: { parsed[$0] == nil }) {
            throw ValidationError("--seeds: '\(parts[bad])' is not a seed; give whole numbers separated by commas, e.g. 1,2,3")
        }
        return parsed.map { $0! }
    }

    func run() throws {
        if heldOut { runHeldOut() } else { try runSeeds() }
        if workerEvents > 0 { try benchWorker() }
    }

    /// The detector on each of --seeds, with the in-process scoring rate.
    private func runSeeds() throws {
        for seed in try seedList() {
            let scenario = AnomalyScenario.generate(config(seed: seed, agents: agents, days: days))
            let start = Date()
            let report = AnomalyEvaluation.run(scenario: scenario)
            let seconds = Date().timeIntervalSince(start)
            print("seed \(seed): \(scenario.events.count) events scored in \(String(format: "%.2f", seconds)) s "
                  + "(\(Int(Double(scenario.events.count) / max(seconds, 1e-9))) events/s, state kept in memory)")
            print(report.summary)
            if dripBound {
                progress("measuring the slow-drip bound for seed \(seed) (\(AnomalyDripBound.defaultReferenceDays) reference days of the same agents)…")
                let bound = AnomalyDripBound.measure(scenario)
                print(bound.summary)
                if let drip = report.result(.slowDrip) {
                    print("  this scorer: \(String(format: "%.1f", drip.recall * 100)) % of the same drip events at HIGH or above")
                }
            }
        }
    }

    /// The held-out sweep, one line per run as it finishes, then the summary.
    private func runHeldOut() {
        var sweep = AnomalySweep()
        let runs = AnomalySweep.heldOut
        let started = Date()
        for (index, run) in runs.enumerated() {
            let scenario = AnomalyScenario.generate(config(seed: run.seed, agents: run.agents, days: run.days))
            let report = AnomalyEvaluation.run(scenario: scenario)
            sweep.add(run, report)
            print("[\(index + 1)/\(runs.count), \(Int(Date().timeIntervalSince(started))) s] " + AnomalySweep.line(run, report))
        }
        print(sweep.summary)
    }

    private func benchWorker() throws {
        installInterruptHandler()
        let adminURL = try CLIEnvironment.value("COST_ADMIN_AMQP_URL", purpose: "the RabbitMQ admin URL")
        let redisURL = BudgetBench.withDatabase(try CLIEnvironment.value("COST_REDIS_URL", purpose: "the Redis URL"), 13)
        let benchDB = try BenchDatabase.create(from: try CLIEnvironment.value("COST_PG_URL", purpose: "the PostgreSQL URL"),
                                               catalog: catalog)
        let redis = try RedisConnection(config: try RedisConfig(url: redisURL))
        defer { redis.close() }
        try redis.command(["FLUSHDB"])
        let bench = try BenchQueue(name: "cost.bench.anomaly", adminURL: adminURL)
        defer { bench.close() }
        // A realistic pace in event time: 200 agents, about one call a minute each, ending now
        // (a pre-fill stamped at publish speed would be one giant runaway loop). The first
        // `warmupEvents` (100 per agent by default) give the agents some history; they are
        // drained first and not timed.
        var fleet = SimulatedFleet(agents: 200, seed: 9, runID: "abench-\(SystemClock.unixMilliseconds)")
        let spacing = Int64(60_000_000 / 200)
        let total = warmupEvents + workerEvents
        let first = SystemClock.now().adding(microseconds: -Int64(total) * spacing)
        let all = (0..<total).map { fleet.next(at: first.adding(microseconds: Int64($0) * spacing)) }
        // The processors of the latest start, for their compare-and-set conflicts.
        final class Created { var processors: [AnomalyProcessor] = [] }
        let created = Created()
        let start = {
            created.processors = []
            return try BenchWorker.start(kind: "anomaly", queue: bench.name, adminURL: adminURL, batchSize: batchSize,
                                         loops: loops) { logger in
                var options = AnomalyProcessor.Options()
                if noStateCache { options.stateCache = nil }
                if noTurns { options.turns = nil }
                options.writeParts = writeParts
                let processor = AnomalyProcessor(postgresURL: benchDB.url, redisURL: redisURL, logger: logger, options: options)
                created.processors.append(processor)
                return processor
            }
        }
        if warmupEvents > 0 {
            try publish(all[..<warmupEvents], to: bench, what: "\(warmupEvents) warm-up events")
            let warming = try start()
            _ = BenchWorker.waitProcessed(warming, expected: warmupEvents, started: ContinuousClock.now)
            warming.stop()
        }

        // Rounds: the worker drains a slice with the loops started afresh (its first batch
        // per loop, which includes connecting, is not timed), then the raw round trips run on
        // the events it timed. Pairing each worker run with a raw run right after it keeps
        // the ratio steady on a machine whose speed drifts; the median ratio is the result.
        let perRound = workerEvents / rounds
        // The broker writes its log for seconds after a burst of publishes or acks; a
        // measurement taken meanwhile would share the CPU with it.
        let settle = 2.0
        var ratios: [Double] = [], workerRates: [Double] = [], rawRates: [Double] = [], cpuPerEvent: [Double] = []
        var conflicts = 0, roundEvents = 0
        for round in 0..<rounds {
            guard !interrupted.load(ordering: .relaxed) else { throw ExitCode(130) }
            let from = warmupEvents + round * perRound
            let slice = Array(all[from..<(round == rounds - 1 ? total : from + perRound)])
            try publish(slice[...], to: bench, what: "round \(round + 1)/\(rounds) (\(slice.count) events)")
            Thread.sleep(forTimeInterval: settle)
            let running = try start()
            _ = BenchWorker.waitProcessed(running, expected: min(slice.count, loops * batchSize), started: ContinuousClock.now)
            let untimed = running.processed
            let started = ContinuousClock.now
            let cpuBefore = Self.processCPUSeconds()
            let seconds = BenchWorker.waitProcessed(running, expected: slice.count, started: started)
            let workerCPU = Self.processCPUSeconds() - cpuBefore
            running.stop()
            guard !interrupted.load(ordering: .relaxed) else { throw ExitCode(130) }
            conflicts += created.processors.reduce(0) { $0 + $1.stateConflicts }
            roundEvents += slice.count
            let timed = Array(slice[untimed...])
            Thread.sleep(forTimeInterval: settle)
            let workerRate = Double(timed.count) / seconds
            // Raw: the same events in batches of the same size; per batch one pipelined read
            // and one pipelined compare-and-set per agent writing back what was read (the
            // states the worker left, so the sizes are real), through the same client.
            let rawStart = ContinuousClock.now
            for chunk in stride(from: 0, to: timed.count, by: batchSize) {
                try Self.rawRoundTrips(Array(timed[chunk..<min(chunk + batchSize, timed.count)]), redis: redis)
            }
            let rawRate = Double(timed.count) / BenchWorker.seconds(ContinuousClock.now - rawStart)
            workerRates.append(workerRate)
            rawRates.append(rawRate)
            ratios.append(workerRate / rawRate)
            cpuPerEvent.append(workerCPU * 1e6 / Double(timed.count))
            print("round \(round + 1)/\(rounds): worker \(Int(workerRate)) events/s, raw \(Int(rawRate)) events/s, "
                  + "ratio \(String(format: "%.2f", workerRate / rawRate)) (\(timed.count) timed events; worker CPU "
                  + "\(String(format: "%.1f", cpuPerEvent.last!)) µs per event)")
        }
        let flagged = try PGConnection(url: benchDB.url, applicationName: "costctl-bench")
        defer { flagged.close() }
        let medium = try flagged.query("SELECT count(*) FROM security_events WHERE occurred_at >= $1",
                                       [all[warmupEvents].occurredAt.rfc3339]).rows.first?[0] ?? "?"
        try redis.command(["FLUSHDB"])
        func median(_ values: [Double]) -> Double {
            let sorted = values.sorted()
            return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }
        let format = { (value: Double) in String(format: "%.2f", value) }
        print("anomaly worker (\(loops) loop\(loops == 1 ? "" : "s"), batches of \(batchSize), 200 agents), median of \(rounds) "
              + "round\(rounds == 1 ? "" : "s"): \(Int(median(workerRates))) events/s   raw Redis round trips (read + compare-and-set, "
              + "1 connection): \(Int(median(rawRates))) events/s   ratio \(format(median(ratios))) (rounds \(format(ratios.min()!))–"
              + "\(format(ratios.max()!)); target ≥ 0.60); \(medium) of the timed events scored MEDIUM or above; agent states "
              + "taken from the worker's own cache instead of decoded: \(cacheShare()); compare-and-sets lost to another loop "
              + "and redone: \(conflicts) (\(String(format: "%.1f", Double(conflicts) * 1000 / Double(max(roundEvents, 1)))) per 1000 "
              + "events); worker CPU (this process while "
              + "the loops ran, user + system) \(String(format: "%.1f", median(cpuPerEvent))) µs per event; allocator "
              + Allocator.description)
    }

    /// User + system CPU seconds of this process so far (while the worker's loops run, the
    /// rest of the process only polls their progress).
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    private func cacheShare() -> String {
        let counts = AgentStateCache.shared.counts
        let total = counts.hits + counts.misses
        return total == 0 ? "none read" : String(format: "%.1f %%", 100 * Double(counts.hits) / Double(total))
    }

    /// Publishes `events` to the bench queue with confirms (no worker is running meanwhile).
    private func publish(_ events: ArraySlice<UsageEvent>, to bench: BenchQueue, what: String) throws {
        progress("pre-filling \(bench.name) with \(what)…")
        let publisher = try bench.publisher(bufferLimit: events.count + 1)
        for e in events { try publisher.publish(e) }
        guard publisher.flush(timeout: .seconds(180)) else { throw ValidationError("the broker did not confirm the pre-fill") }
        publisher.close()
    }

    /// The Redis work of one batch without the scoring: what `SharedRiskScorer` sends, built
    /// the way it builds it (keys and commands as bytes).
    static func rawRoundTrips(_ batch: [UsageEvent], redis: RedisConnection) throws {
        var groups: [String: [UsageEvent]] = [:]
        var order: [String] = []
        for e in batch {
            if groups[e.agentID] == nil { order.append(e.agentID) }
            groups[e.agentID, default: []].append(e)
        }
        let get = Array("GET".utf8)
        var commands: [[[UInt8]]] = []
        var sessionKeys: [[[UInt8]]] = []
        for agent in order {
            let events = groups[agent]!
            commands.append([Array("HMGET".utf8), RiskStateKeys.agentBytes(agent), [UInt8(ascii: "v")], [UInt8(ascii: "s")]])
            var keys: [[UInt8]] = []
            for e in events {
                let key = RiskStateKeys.sessionBytes(agentID: agent, sessionID: e.sessionID)
                if !keys.contains(key) { keys.append(key) }
            }
            sessionKeys.append(keys)
            for key in keys { commands.append([get, key]) }
            for e in events { commands.append([get, RiskStateKeys.seenBytes(eventID: e.eventID)]) }
        }
        let replies = try redis.pipeline(bytes: commands)
        var cursor = 0
        var calls: [(keys: [[UInt8]], args: [[UInt8]])] = []
        for (index, agent) in order.enumerated() {
            let events = groups[agent]!
            let (version, state) = SharedRiskScorer.versionAndState(replies[cursor])
            cursor += 1
            var sessions: [(key: [UInt8], state: [UInt8])] = []
            for key in sessionKeys[index] {
                if case .bulk(let bytes) = replies[cursor] { sessions.append((key, bytes)) } else { sessions.append((key, [])) }
                cursor += 1
            }
            var seen: [(key: [UInt8], outcome: [UInt8])] = []
            for e in events {
                let key = RiskStateKeys.seenBytes(eventID: e.eventID)
                if case .bulk(let bytes) = replies[cursor] { seen.append((key, bytes)) } else { seen.append((key, Array(#"{"score":3}"#.utf8))) }
                cursor += 1
            }
            calls.append(RiskCommitScript.call(agentKey: RiskStateKeys.agentBytes(agent), version: version, state: state ?? [],
                                                   sessions: sessions, seen: seen))
        }
        for reply in try redis.evalMany(RiskCommitScript.script, byteCalls: calls) where reply.int != 1 {
            throw ValidationError("raw compare-and-set did not apply: \(reply)")
        }
    }
}
