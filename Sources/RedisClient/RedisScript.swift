/// A Lua script; the connection caches its SHA1 after SCRIPT LOAD.
public struct RedisScript: Sendable, Hashable {
    public let source: String
    public init(_ source: String) { self.source = source }
}
