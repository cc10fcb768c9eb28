import Synchronization

/// What /healthz and /readyz report. Written by the consume loop, read by the HTTP server.
public final class HealthState: Sendable {
    public struct Snapshot: Sendable {
        public var brokerConnected = false
        public var backendsConnected = false
        public var lastError: String?
        public var lastLoopUnixSeconds: Int64 = 0
        public var stopping = false
        public var stored: Int64 = 0
        public var deadLettered: Int64 = 0
    }

    private let state = Mutex(Snapshot())

    public init() {}

    public var snapshot: Snapshot { state.withLock { $0 } }

    public func update(_ body: (inout Snapshot) -> Void) {
        state.withLock { body(&$0) }
    }

    /// Live: the loop has turned within `staleAfter` seconds.
    public func isLive(nowUnixSeconds: Int64, staleAfter: Int64 = 60) -> Bool {
        let s = snapshot
        return s.lastLoopUnixSeconds == 0 || nowUnixSeconds - s.lastLoopUnixSeconds <= staleAfter
    }

    /// Ready: connected to the broker and to the processor's backends, not stopping.
    public var isReady: Bool {
        let s = snapshot
        return s.brokerConnected && s.backendsConnected && !s.stopping
    }
}
