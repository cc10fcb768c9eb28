import Foundation
import Synchronization

/// Keeps a PostgreSQL outage (the recovery test stops the server) from overlapping another
/// integration test that uses the database, in this test process: every `ScratchDatabase`
/// holds the gate while it lives; the outage starts only once the caller's own database is
/// the last one open, and new databases wait until the server is back.
enum PostgresOutageGate {
    private struct State {
        var openDatabases = 0
        var outage = false
    }
    private static let state = Mutex(State())

    /// Called when a scratch database is created: waits (blocking, for at most `limit`)
    /// while an outage is in progress.
    static func enter(limit: Duration = .seconds(120)) {
        let deadline = ContinuousClock.now + limit
        while true {
            let entered = state.withLock { s -> Bool in
                guard !s.outage || ContinuousClock.now >= deadline else { return false }
                s.openDatabases += 1
                return true
            }
            if entered { return }
            usleep(50_000)
        }
    }

    static func leave() {
        state.withLock { $0.openDatabases -= 1 }
    }

    /// Waits until at most `own` scratch databases are open (the caller's), then marks the
    /// outage as started so that no new one opens. Returns false if others stayed open for
    /// `limit` (the outage then starts anyway).
    @discardableResult
    static func beginOutage(own: Int = 1, limit: Duration = .seconds(120)) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while true {
            let quiet = state.withLock { s -> Bool in
                guard s.openDatabases <= own || ContinuousClock.now >= deadline else { return false }
                s.outage = true
                return s.openDatabases <= own
            }
            if state.withLock({ $0.outage }) { return quiet }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    static func endOutage() {
        state.withLock { $0.outage = false }
    }
}
