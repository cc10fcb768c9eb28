import Testing
import WorkerRuntime

@Suite struct AllocatorTests {
    @Test("jemalloc, not the C library, serves malloc in a binary that links WorkerRuntime, and gives its version")
    func jemallocServesMalloc() {
        #expect(Allocator.servesMalloc, "malloc resolved to another allocator than jemalloc")
        #expect(Allocator.version?.hasPrefix("5.") == true, "jemalloc version: \(Allocator.version ?? "none")")
        #expect(Allocator.description.hasPrefix("jemalloc 5."), "\(Allocator.description)")
    }
}
