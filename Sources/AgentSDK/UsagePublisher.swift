#if canImport(Glibc)
import Glibc
#endif
import AMQPClient
import CostCore

/// Publishes usage events to `cost.usage` with publisher confirms. Every event stays in a
/// bounded local buffer until the broker confirmed it; while the broker is away, events
/// queue up there and go out (again) after a reconnect. Redelivered duplicates are harmless:
/// the workers count each event_id once.
///
/// Not thread-safe: one owner, like the AMQP handle it wraps.
public final class UsagePublisher {
    public struct Options: Sendable {
        /// Most messages in flight without a confirm.
        public var window: Int = 1000
        /// Most events held locally (unsent or unconfirmed); beyond it `publish` throws `.bufferFull`.
        public var bufferLimit: Int = 100_000
        /// Longest pause between reconnect attempts while the broker is away.
        public var maxReconnectPause: Duration = .seconds(5)
        /// The exchange events go to (contract: `cost.usage`).
        public var exchange = "cost.usage"
        /// Routes every event with this key instead of `usage.<provider>` (benchmarks publish
        /// straight to a queue through the default exchange).
        public var routingKeyOverride: String?
        public init() {}
    }

    private struct Pending {
        var sequence: UInt64?          // nil: not sent on the current connection
        let routingKey: String
        let body: [UInt8]
        let properties: AMQPProperties
    }

    private let config: AMQPConfig
    private let options: Options
    private let clock: @Sendable () -> Timestamp
    private var connection: AMQPConnection?
    private var pending: [Pending] = []
    private var head = 0
    private var nextAttempt = ContinuousClock.now
    private var reconnectPause: Duration = .milliseconds(100)
    public private(set) var lastError: AMQPError?

    public init(url: String, options: Options = Options(),
                clock: @escaping @Sendable () -> Timestamp) throws(AMQPError) {
        self.config = try AMQPConfig(url: url)
        self.options = options
        self.clock = clock
    }

    /// Events held locally: not yet confirmed by the broker.
    public var buffered: Int { pending.count - head }

    public var isConnected: Bool { connection?.isOpen ?? false }

    /// Queues the event and sends it when connected. Blocks while `window` messages await
    /// their confirm. Throws `.bufferFull` when the local buffer is at its limit.
    public func publish(_ event: UsageEvent) throws(PublishError) {
        let properties = AMQPProperties(contentType: "application/json", messageID: event.eventID, persistent: true,
                                        headers: ["published_at_ms": .int(clock().microsecondsSinceEpoch / 1000)])
        try publish(body: event.jsonBytes(), routingKey: options.routingKeyOverride ?? "usage.\(event.provider)",
                    properties: properties)
    }

    /// Publishes an already-encoded message (any bytes) with the given routing key.
    public func publish(body: [UInt8], routingKey: String, properties: AMQPProperties) throws(PublishError) {
        if buffered >= options.bufferLimit {
            service(block: false)
            if buffered >= options.bufferLimit {
                throw PublishError(kind: .bufferFull, message:
                    "\(buffered) events wait for the broker (\(lastError.map { "\($0)" } ?? "not connected")); the local buffer is full")
            }
        }
        pending.append(Pending(sequence: nil, routingKey: routingKey, body: body, properties: properties))
        service(block: true)
    }

    /// Waits until every buffered event is confirmed, or `timeout` passes. Returns whether
    /// the buffer is empty.
    @discardableResult
    public func flush(timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while buffered > 0 && ContinuousClock.now < deadline {
            service(block: true)
            if buffered > 0 {
                if let c = connection, c.isOpen {
                    do { try c.waitForConfirms(timeout: min(.milliseconds(200), deadline - ContinuousClock.now)) } catch {
                        if error.kind != .timeout { fail(error) }
                    }
                    trimConfirmed()
                } else {
                    sleepBriefly(.milliseconds(20))
                }
            }
        }
        return buffered == 0
    }

    public func close() {
        connection?.close()
        connection = nil
    }

    /// Connects when due, sends what is unsent, reads confirms and drops confirmed events.
    private func service(block: Bool) {
        if connection == nil || connection?.isOpen == false {
            guard ContinuousClock.now >= nextAttempt else { return }
            do {
                let c = try AMQPConnection(config: config)
                try c.enableConfirms()
                connection = c
                reconnectPause = .milliseconds(100)
                lastError = nil
                for i in head..<pending.count { pending[i].sequence = nil }
            } catch {
                lastError = error
                nextAttempt = ContinuousClock.now + reconnectPause
                reconnectPause = min(reconnectPause * 2, options.maxReconnectPause)
                return
            }
        }
        guard let c = connection else { return }
        do {
            for i in head..<pending.count where pending[i].sequence == nil {
                while c.unconfirmedCount >= options.window {
                    if try c.pollConfirms() >= options.window {
                        guard block else { trimConfirmed(); return }
                        sleepBriefly(.microseconds(200))
                    }
                }
                pending[i].sequence = try c.publish(exchange: options.exchange, routingKey: pending[i].routingKey,
                                                    body: pending[i].body, properties: pending[i].properties)
            }
            try c.pollConfirms()
            trimConfirmed()
        } catch {
            fail(error)
        }
    }

    private func trimConfirmed() {
        guard let c = connection else { return }
        let oldest = c.oldestUnconfirmedSequence
        while head < pending.count, let s = pending[head].sequence, oldest.map({ s < $0 }) ?? true {
            head += 1
        }
        if head > 4096 && head * 2 > pending.count {
            pending.removeFirst(head)
            head = 0
        } else if head == pending.count {
            pending.removeAll(keepingCapacity: true)
            head = 0
        }
    }

    /// Drops the connection; everything unconfirmed is sent again on the next one.
    private func fail(_ error: AMQPError) {
        lastError = error
        connection?.close()
        connection = nil
        nextAttempt = ContinuousClock.now + reconnectPause
    }

    private func sleepBriefly(_ d: Duration) {
        let (s, a) = d.components
        var ts = timespec(tv_sec: Int(s), tv_nsec: Int(a / 1_000_000_000))
        nanosleep(&ts, nil)
    }
}

public struct PublishError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable { case bufferFull }
    public let kind: Kind
    public let message: String
    public var description: String { message }
}
