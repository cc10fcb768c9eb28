#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CostCore

/// Wall-clock readings for the I/O side (the core takes time as values).
public enum SystemClock {
    @Sendable public static func now() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(microsecondsSinceEpoch: Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000)
    }

    public static var unixMilliseconds: Int64 { now().microsecondsSinceEpoch / 1000 }

    /// Sleeps in short slices so that `interrupt` can cut the pause short.
    public static func sleep(_ duration: Duration, interrupt: () -> Bool = { false }) {
        var left = duration
        let slice = Duration.milliseconds(50)
        while left > .zero, !interrupt() {
            let step = min(left, slice)
            let (seconds, attoseconds) = step.components
            var ts = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
            nanosleep(&ts, nil)
            left -= step
        }
    }
}
