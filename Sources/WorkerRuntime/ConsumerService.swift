import Foundation
import ServiceLifecycle

/// A loop that blocks its thread until asked to stop: the consume loop, the breaker loop.
public protocol BlockingRunLoop: AnyObject, Sendable {
    func run() throws
    func requestStop()
}

extension ConsumeLoop: BlockingRunLoop {}

/// Runs a `BlockingRunLoop` on a thread of its own (rabbitmq-c and libpq calls block, so they
/// stay off Swift's shared pool) as a swift-service-lifecycle service: a graceful shutdown
/// (SIGTERM/SIGINT) asks the loop to finish its batch, ack and stop. `run()` returns only once
/// that thread has ended.
public struct ConsumerService: Service {
    let loop: any BlockingRunLoop

    public init(loop: any BlockingRunLoop) {
        self.loop = loop
    }

    public func run() async throws {
        let loop = self.loop
        let thread = JoinableThread(name: "consume-loop", stackSize: 8 << 20)
        // The loop reports back from its thread before that thread has ended; wait for the
        // end (microseconds: closure release and thread-local destructors) so that the process
        // never exits while the thread still runs libcrypto/libkrb5 destructors. This blocks
        // the calling thread that long, once, at shutdown.
        defer { thread.join() }
        try await withGracefulShutdownHandler {
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    do {
                        try thread.start {
                            do {
                                try loop.run()
                                continuation.resume()
                            } catch {
                                continuation.resume(throwing: error)
                            }
                        }
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }
            } onCancel: {
                loop.requestStop()
            }
        } onGracefulShutdown: {
            loop.requestStop()
        }
    }
}
