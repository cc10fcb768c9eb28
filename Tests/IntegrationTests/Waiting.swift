import Foundation
import Testing

/// Polling with a deadline: integration tests wait for what a user would see (rows stored,
/// messages dead-lettered), never for a fixed time.
enum Waiting {
    /// Polls `condition` every `interval` until it holds; records an issue and throws when
    /// `timeout` passes first. The failure names `what`, the last observation and `diagnostics`.
    static func until(
        _ what: String, timeout: Duration, interval: Duration = .milliseconds(100),
        diagnostics: () -> String = { "" },
        sourceLocation: SourceLocation = #_sourceLocation,
        _ condition: () throws -> (done: Bool, observed: String)
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        var last = "nothing observed"
        while true {
            do {
                let (done, observed) = try condition()
                last = observed
                if done { return }
            } catch {
                last = "error: \(error)"
            }
            if ContinuousClock.now >= deadline { break }
            try await Task.sleep(for: interval)
        }
        Issue.record("timed out after \(timeout) waiting for \(what); last observed: \(last)\n\(diagnostics())",
                     sourceLocation: sourceLocation)
        throw HarnessFailure("timed out waiting for \(what)")
    }

    /// Checks that `value` does not change for `period` (e.g. no late duplicate arrives).
    static func stays<T: Equatable>(
        _ what: String, at expected: T, for period: Duration, interval: Duration = .milliseconds(250),
        sourceLocation: SourceLocation = #_sourceLocation, _ value: () throws -> T
    ) async throws {
        let deadline = ContinuousClock.now + period
        while ContinuousClock.now < deadline {
            let now = try value()
            guard now == expected else {
                Issue.record("\(what) changed from \(expected) to \(now)", sourceLocation: sourceLocation)
                return
            }
            try await Task.sleep(for: interval)
        }
    }
}
