import CostCore
import Glibc
import Synchronization

/// The agent states this worker process last wrote, with their exact bytes. When an agent's
/// state is read back byte for byte as written (no other worker wrote it meanwhile), the
/// scorer takes the kept state instead of decoding it again: decoding an agent's ~8 KB of
/// hour history was about a tenth of the anomaly worker's CPU.
///
/// Safe by construction: a hit needs the bytes read from Redis to equal the kept ones in full,
/// and decoding is exact (`AgentRiskState(decoding: state.encoded()) == state`, tested), so a
/// hit gives the very state decoding would. A state another worker wrote, or one rewritten
/// after a flush, differs in its bytes and is decoded. Shared by the consume loops of a
/// process (loops take turns at an agent's batches). Bounded: when `capacity` agents are kept,
/// it starts over.
public final class AgentStateCache: Sendable {
    public static let shared = AgentStateCache()

    /// A class, so the dictionary moves a reference rather than the state's many arrays.
    private final class Entry: Sendable {
        let bytes: [UInt8]
        let state: AgentRiskState
        init(bytes: [UInt8], state: AgentRiskState) {
            self.bytes = bytes
            self.state = state
        }

        /// memcmp: `Array.==` compares element by element.
        func matches(_ other: [UInt8]) -> Bool {
            bytes.count == other.count && bytes.withUnsafeBytes { mine in
                other.withUnsafeBytes { theirs in memcmp(mine.baseAddress!, theirs.baseAddress!, mine.count) == 0 }
            }
        }
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let hits = Atomic<Int>(0)
    private let misses = Atomic<Int>(0)
    public let capacity: Int

    public init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    /// The kept state of `agentID` when `bytes` are exactly what was kept with it.
    func state(of agentID: String, matching bytes: [UInt8]) -> AgentRiskState? {
        // Compared outside the lock: an entry is never changed, only replaced.
        guard let entry = entries.withLock({ $0[agentID] }), !bytes.isEmpty, entry.matches(bytes) else {
            misses.add(1, ordering: .relaxed)
            return nil
        }
        hits.add(1, ordering: .relaxed)
        return entry.state
    }

    /// Keeps `state` as written to Redis in `bytes` (after the compare-and-set succeeded).
    func keep(_ state: AgentRiskState, bytes: [UInt8], of agentID: String) {
        let entry = Entry(bytes: bytes, state: state)
        entries.withLock { entries in
            if entries.count >= capacity, entries[agentID] == nil { entries.removeAll(keepingCapacity: true) }
            entries[agentID] = entry
        }
    }

    /// Lookups that found the state kept, and those that decoded.
    public var counts: (hits: Int, misses: Int) { (hits.load(ordering: .relaxed), misses.load(ordering: .relaxed)) }
    public var count: Int { entries.withLock { $0.count } }
}
