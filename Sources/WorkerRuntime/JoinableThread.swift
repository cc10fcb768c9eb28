import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A POSIX thread for one blocking closure, which its owner joins.
///
/// Foundation's `Thread` cannot be joined: a loop that reports "done" from inside it lets the
/// process reach `exit` while the thread is still ending (releasing its closure, running the
/// thread-local destructors of libcrypto, libkrb5 and Foundation). Those destructors then race
/// the exit handlers that free the same libraries' global state (OpenSSL's `OPENSSL_cleanup`,
/// libkrb5's finalizers), which corrupts the heap now and then. `join()` returns only once the
/// thread has ended completely.
///
/// Invariant for `@unchecked Sendable`: `handle` is written by `start` before the closure can
/// report back, and read by `join` only after that report; both happen on the owner's side.
final class JoinableThread: @unchecked Sendable {
    private let name: String
    private let stackSize: Int
    private var handle: pthread_t?

    init(name: String, stackSize: Int) {
        self.name = name
        self.stackSize = stackSize
    }

    /// Starts the thread running `body`. Throws `JoinableThread.StartFailure` (with the errno)
    /// when the system refuses a new thread. Call once.
    func start(_ body: @escaping @Sendable () -> Void) throws {
        precondition(handle == nil, "JoinableThread.start called twice")
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, stackSize)
        let context = Unmanaged.passRetained(Context(name: name, body: body)).toOpaque()
        #if canImport(Darwin)
        var created: pthread_t?
        #else
        var created = pthread_t()
        #endif
        let status = pthread_create(&created, &attributes, { raw in
            let context = Unmanaged<Context>.fromOpaque(raw!).takeRetainedValue()
            Thread.current.name = context.name  // the OS thread name, as crash reports show it
            context.body()
            return nil
        }, context)
        guard status == 0 else {
            Unmanaged<Context>.fromOpaque(context).release()
            throw StartFailure(errno: status)
        }
        handle = created
    }

    /// Blocks until the thread has ended (thread-local destructors included); at once when it
    /// never started. Call once, after the body has reported that it is done, so the wait is
    /// only the thread's own teardown.
    func join() {
        guard let thread = handle else { return }
        handle = nil
        pthread_join(thread, nil)
    }

    struct StartFailure: Error, CustomStringConvertible {
        let errno: Int32
        var description: String { "cannot start a thread: \(String(cString: strerror(errno)))" }
    }

    private final class Context {
        let name: String
        let body: @Sendable () -> Void

        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }
}
