import Foundation

/// Makes the consume loops of one process take turns at an agent: a loop scores a batch only
/// once no other loop of the process is scoring any of the batch's agents.
///
/// Without it, two loops draining one queue hold nearly the same agents in their batches
/// (every batch of 500 spans most of a fleet of 200), both read an agent's state at the same
/// version, and one of them loses the compare-and-set and reads, scores, encodes and writes
/// again: in `costctl bench anomaly` that was about 40 % of all agent groups. Waiting instead
/// costs a loop a few milliseconds of the other's turn, while its receiving, decoding, outputs
/// and acks still run alongside.
///
/// Only a schedule: correctness never rests on it. The compare-and-set still decides between
/// processes, and between loops a lost turn would only mean a conflict, as before.
public final class AgentTurns: @unchecked Sendable {
    public static let shared = AgentTurns()

    /// Guards `busy` (`@unchecked Sendable`: every access holds it).
    private let condition = NSCondition()
    private var busy: Set<String> = []
    /// Turns that had to wait for another loop (what shows that loops overlapped).
    private var waitedCount = 0

    public init() {}

    /// Runs `body` once none of `agents` is in another caller's turn, with all of them in
    /// this caller's turn until it returns or throws.
    public func take<T>(_ agents: [String], _ body: () throws -> T) rethrows -> T {
        condition.lock()
        var waited = false
        while agents.contains(where: { busy.contains($0) }) {
            waited = true
            condition.wait()
        }
        if waited { waitedCount += 1 }
        busy.formUnion(agents)
        condition.unlock()
        defer {
            condition.lock()
            busy.subtract(agents)
            condition.broadcast()
            condition.unlock()
        }
        return try body()
    }

    /// Turns so far that had to wait for another loop.
    public var waited: Int {
        condition.lock()
        defer { condition.unlock() }
        return waitedCount
    }
}
