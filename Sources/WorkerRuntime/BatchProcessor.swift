import AMQPClient
import CostCore

/// A valid usage event as it arrived.
public struct InboundEvent: Sendable {
    public let event: UsageEvent
    public let deliveryTag: UInt64
    public let redelivered: Bool
    /// Milliseconds since the epoch at which the publisher sent it, when it said so
    /// (header `published_at_ms`, set by the SDK and `costctl fleet`).
    public let publishedAtMs: Int64?
}

/// What a worker kind does with a batch of valid events. Called on the consume loop's own
/// thread only; implementations own their connections (PostgreSQL, Redis) and must be
/// idempotent by event_id, since a batch may be processed again after a failure.
public protocol BatchProcessor: AnyObject {
    /// Opens (or reopens) the processor's connections. A thrown retriable error means
    /// "try again later"; a permanent one stops the worker with its message.
    func connect() throws
    /// Processes and commits the batch. Throw a retriable error to have the same batch
    /// retried after a pause; a permanent error makes the runtime split the batch to find
    /// the event that causes it and dead-letter that event alone.
    func process(_ batch: [InboundEvent], context: WorkerContext) throws
    /// Called between batches at most every `housekeepingInterval` (and when the queue is
    /// idle): periodic work such as refreshing a catalog. Errors are logged and ignored.
    func housekeeping(context: WorkerContext) throws
    /// Drops the connections (before a reconnect, and at shutdown).
    func disconnect()
}

extension BatchProcessor {
    public func housekeeping(context: WorkerContext) throws {}
}

/// Tells whether an error thrown by a processor is worth retrying.
public func isRetriable(_ error: any Error) -> Bool {
    switch error {
    case let e as AMQPError: return e.isRetriable
    case let e as RetriableError: return e.isRetriable
    default: return false
    }
}

/// Conformed to by the error types of the client and store modules.
public protocol RetriableError: Error {
    var isRetriable: Bool { get }
}
