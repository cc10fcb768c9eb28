extension AMQPConnection {
    /// The lowest publish sequence number the broker has not confirmed yet, nil when all
    /// are confirmed. Every sequence number below it is settled, which lets a publisher drop
    /// its copies of those messages even when confirms arrive out of order.
    public var oldestUnconfirmedSequence: UInt64? { confirms.oldestOutstanding }
}
