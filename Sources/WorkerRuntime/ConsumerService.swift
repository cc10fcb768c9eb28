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
/// (SIGTERM/SIGINT) asks the loop to finish its batch, ack and stop.
public struct ConsumerService: Service {
    let loop: any BlockingRunLoop

    public init(loop: any BlockingRunLoop) {
        self.loop = loop
    }

    public func run() async throws {
        let loop = self.loop
        try await withGracefulShutdownHandler {
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    let thread = Thread {
                        do {
                            try loop.run()
                            continuation.resume()
                        } catch {
                            continuation.resume(throwing: error)
                        }
                    }
                    thread.name = "consume-loop"
                    thread.stackSize = 8 << 20
                    thread.start()
                }
            } onCancel: {
                loop.requestStop()
            }
        } onGracefulShutdown: {
            loop.requestStop()
        }
    }
}
