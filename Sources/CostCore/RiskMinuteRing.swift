/// Calls and cost per minute for the last `size` minutes of event time, aligned on the newest
/// minute seen. An event up to `size − 1` minutes older than the newest still lands in its own
/// minute; an older one is not counted here.
public struct RiskMinuteRing: Sendable, Equatable {
    /// Minute index (Unix seconds / 60) of the newest event; `Int64.min` before the first.
    public internal(set) var newestMinute: Int64 = .min
    var calls: [Int32]
    /// Exact cost per minute, nanodollars.
    var cost: [Int64]

    public init(size: Int) {
        calls = Array(repeating: 0, count: max(size, 2))
        cost = Array(repeating: 0, count: max(size, 2))
    }

    var size: Int { calls.count }
    var isEmpty: Bool { newestMinute == .min }

    /// `minute` mod `size`, never negative. One division (the size is not a constant): the
    /// sustained rates read ten minutes per event.
    @inline(__always) private func slot(_ minute: Int64) -> Int {
        let remainder = minute % Int64(size)
        return Int(remainder < 0 ? remainder + Int64(size) : remainder)
    }

    /// True when `minute` is within the ring's window.
    @inline(__always) func holds(_ minute: Int64) -> Bool {
        !isEmpty && minute <= newestMinute && minute > newestMinute - Int64(size)
    }

    /// Moves the window so that `minute` is the newest, clearing the minutes that leave; calls
    /// `leaving(minute, calls, cost)` for each non-empty minute that leaves, oldest first.
    mutating func advance(to minute: Int64, leaving: (Int64, Int32, Int64) -> Void = { _, _, _ in }) {
        if isEmpty {
            newestMinute = minute
            return
        }
        guard minute > newestMinute else { return }
        let steps = min(minute - newestMinute, Int64(size))
        let firstLeaving = newestMinute - Int64(size) + 1
        for offset in 0..<steps {
            let old = firstLeaving + offset
            let index = slot(old)
            if calls[index] > 0 { leaving(old, calls[index], cost[index]) }
            calls[index] = 0
            cost[index] = 0
        }
        newestMinute = minute
    }

    /// Adds one call to `minute` if the window holds it; returns whether it did.
    @discardableResult
    mutating func add(minute: Int64, cost amount: Nanodollars) -> Bool {
        guard holds(minute) else { return false }
        let index = slot(minute)
        calls[index] &+= 1
        cost[index] = (Nanodollars(cost[index]) + amount).value
        return true
    }

    func calls(at minute: Int64) -> Int32 {
        holds(minute) ? calls[slot(minute)] : 0
    }

    func cost(at minute: Int64) -> Nanodollars {
        Nanodollars(holds(minute) ? cost[slot(minute)] : 0)
    }

    /// Calls in the `width` minutes ending at `minute` (inclusive).
    func calls(last width: Int, endingAt minute: Int64) -> Int64 {
        var total: Int64 = 0
        for back in 0..<Int64(min(width, size)) {
            total += Int64(calls(at: minute - back))
        }
        return total
    }

    /// The same minutes in a ring of `size` minutes (the newest ones, if it is smaller).
    func resized(to size: Int) -> RiskMinuteRing {
        guard size != self.size else { return self }
        var ring = RiskMinuteRing(size: size)
        ring.newestMinute = newestMinute
        guard !isEmpty else { return ring }
        for back in 0..<Int64(min(self.size, ring.size)) {
            let minute = newestMinute - back
            ring.calls[ring.slot(minute)] = calls(at: minute)
            ring.cost[ring.slot(minute)] = cost(at: minute).value
        }
        return ring
    }

    func write(to writer: inout RiskStateWriter) {
        writer.unsigned(UInt64(size))
        writer.signed(newestMinute)
        for value in calls { writer.signed(value) }
        for value in cost { writer.signed(value) }
    }

    /// Reads `write(to:)` output into this ring: in place when it has the stored size (a
    /// decoded state's ring starts at its usual size), rather than building a second one.
    mutating func read(from reader: inout RiskStateReader) throws(RiskStateError) {
        let size = try reader.count(max: 1440)
        if size != self.size { self = RiskMinuteRing(size: size) }
        newestMinute = try reader.signed()
        for index in 0..<self.size { calls[index] = try reader.int32() }
        for index in 0..<self.size { cost[index] = try reader.signed() }
    }
}
