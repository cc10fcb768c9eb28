/// Publisher-confirm bookkeeping as a value: which sequence numbers are still waiting for
/// the broker's `basic.ack` / `basic.nack`. No I/O; `AMQPConnection` feeds it frames.
struct ConfirmTracker: Sendable, Equatable {
    /// Sequence number the next publish gets (the broker counts from 1 per channel).
    private(set) var nextSequence: UInt64 = 1
    /// Unconfirmed sequence numbers in ascending order, live from `head` on.
    private var outstanding: [UInt64] = []
    private var head = 0
    /// Sequence numbers the broker nacked and nobody has been told about yet.
    private(set) var nacked: [UInt64] = []

    var unconfirmed: Int { outstanding.count - head }

    /// The lowest sequence number still waiting for a confirm.
    var oldestOutstanding: UInt64? { head < outstanding.count ? outstanding[head] : nil }

    /// Records a publish and returns its sequence number.
    mutating func published() -> UInt64 {
        let sequence = nextSequence
        nextSequence += 1
        outstanding.append(sequence)
        return sequence
    }

    mutating func acked(_ tag: UInt64, multiple: Bool) {
        settle(tag, multiple: multiple, nack: false)
    }

    mutating func nacked(_ tag: UInt64, multiple: Bool) {
        settle(tag, multiple: multiple, nack: true)
    }

    /// Returns and forgets the nacked sequence numbers.
    mutating func takeNacked() -> [UInt64] {
        defer { nacked.removeAll() }
        return nacked
    }

    private mutating func settle(_ tag: UInt64, multiple: Bool, nack: Bool) {
        if multiple {
            while head < outstanding.count, outstanding[head] <= tag {
                if nack { nacked.append(outstanding[head]) }
                head += 1
            }
        } else if head < outstanding.count, outstanding[head] == tag {
            head += 1
            if nack { nacked.append(tag) }
        } else if let index = position(of: tag) {
            outstanding.remove(at: index)
            if nack { nacked.append(tag) }
        }
        compact()
    }

    /// Binary search in the live, ascending part of `outstanding`.
    private func position(of tag: UInt64) -> Int? {
        var low = head
        var high = outstanding.count
        while low < high {
            let middle = (low + high) / 2
            if outstanding[middle] < tag { low = middle + 1 } else { high = middle }
        }
        return low < outstanding.count && outstanding[low] == tag ? low : nil
    }

    private mutating func compact() {
        if head == outstanding.count {
            outstanding.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 1024, head * 2 > outstanding.count {
            outstanding.removeFirst(head)
            head = 0
        }
    }
}
