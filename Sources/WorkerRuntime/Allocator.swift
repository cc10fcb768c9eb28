import CJemalloc
#if canImport(Glibc)
import Glibc
#endif

/// The memory allocator of every worker and of costctl: jemalloc (Debian's libjemalloc),
/// linked in place of the C library's malloc. A batch of the anomaly worker allocates and
/// frees thousands of buffers, many of them agent states of ~8 KB, which glibc's malloc
/// serves with bin searches and consolidation; with jemalloc the worker spent about 10 %
/// less CPU per event (`costctl bench anomaly`, interleaved runs; see the README).
public enum Allocator {
    /// "jemalloc 5.3.0-0-g…", or what serves malloc instead when jemalloc did not take over
    /// (the binary was linked against it, yet the C library's malloc won the symbol lookup).
    public static var description: String {
        guard servesMalloc else { return "C library malloc (jemalloc linked but not in use)" }
        return "jemalloc " + (version ?? "(version unknown)")
    }

    /// jemalloc's version string.
    public static var version: String? {
        var pointer: UnsafePointer<CChar>?
        var size = MemoryLayout<UnsafePointer<CChar>?>.size
        guard mallctl("version", &pointer, &size, nil, 0) == 0, let pointer else { return nil }
        return String(cString: pointer)
    }

    /// Whether `malloc` in this process is jemalloc's: a 1 MiB block from the `malloc` the
    /// dynamic linker resolves (called through its address, so the compiler cannot drop the
    /// call) must move jemalloc's count of the bytes this thread allocated.
    public static var servesMalloc: Bool {
        typealias Malloc = @convention(c) (Int) -> UnsafeMutableRawPointer?
        guard let symbol = dlsym(nil, "malloc"), let before = threadAllocated() else { return false }
        let size = 1 << 20
        guard let block = unsafeBitCast(symbol, to: Malloc.self)(size) else { return false }
        defer { free(block) }
        guard let after = threadAllocated() else { return false }
        return after &- before >= UInt64(size)
    }

    private static func threadAllocated() -> UInt64? {
        var value: UInt64 = 0
        var size = MemoryLayout<UInt64>.size
        return mallctl("thread.allocated", &value, &size, nil, 0) == 0 ? value : nil
    }
}
