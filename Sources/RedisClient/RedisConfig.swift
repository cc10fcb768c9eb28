/// How to reach one Redis server. Build it once from the environment in `main`.
public struct RedisConfig: Sendable {
    public var host: String
    public var port: Int
    /// ACL user name for `AUTH user password`; nil sends `AUTH password` (the default user).
    public var username: String?
    public var password: String?
    /// Logical database selected after connecting (`SELECT`), 0 by default.
    public var database: Int
    /// Connect timeout and per-command socket timeout, 5 s by default.
    public var timeout: Duration

    public init(host: String = "127.0.0.1", port: Int = 6379, password: String? = nil,
                database: Int = 0, timeout: Duration = .seconds(5)) {
        self.host = host
        self.port = port
        self.username = nil
        self.password = password
        self.database = database
        self.timeout = timeout
    }

    /// Parses `redis://[[user]:password@]host[:port][/db]`. A user name other than empty or
    /// `default` is sent with `AUTH user password` (Redis 6+ ACL). Errors never contain the
    /// password.
    public init(url: String) throws(RedisError) {
        self.init()
        let scheme = "redis://"
        guard url.lowercased().hasPrefix(scheme) else {
            throw RedisError(kind: .invalidArgument, message: "Redis URL must start with redis://")
        }
        var rest = Substring(url.dropFirst(scheme.count))
        if let query = rest.firstIndex(of: "?") { rest = rest[..<query] }
        var hostPart = rest
        if let slash = rest.firstIndex(of: "/") {
            hostPart = rest[..<slash]
            let dbText = rest[rest.index(after: slash)...]
            if !dbText.isEmpty {
                guard let db = Int(dbText), db >= 0 else {
                    throw RedisError(kind: .invalidArgument, message: "Redis URL has an invalid database number")
                }
                database = db
            }
        }
        if let at = hostPart.lastIndex(of: "@") {
            let userInfo = hostPart[..<at]
            hostPart = hostPart[hostPart.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                let user = Self.percentDecoded(userInfo[..<colon])
                let pass = Self.percentDecoded(userInfo[userInfo.index(after: colon)...])
                username = (user.isEmpty || user == "default") ? nil : user
                password = pass.isEmpty ? nil : pass
            } else {
                // redis://secret@host is commonly meant as a bare password.
                let pass = Self.percentDecoded(userInfo)
                password = pass.isEmpty ? nil : pass
            }
        }
        if hostPart.hasPrefix("["), let close = hostPart.firstIndex(of: "]") {
            host = String(hostPart[hostPart.index(after: hostPart.startIndex)..<close])
            hostPart = hostPart[hostPart.index(after: close)...]
            if hostPart.hasPrefix(":") { try setPort(hostPart.dropFirst()) }
        } else if let colon = hostPart.lastIndex(of: ":") {
            host = String(hostPart[..<colon])
            try setPort(hostPart[hostPart.index(after: colon)...])
        } else {
            host = String(hostPart)
        }
        if host.isEmpty { host = "127.0.0.1" }
    }

    private mutating func setPort(_ text: Substring) throws(RedisError) {
        guard let value = Int(text), (1...65535).contains(value) else {
            throw RedisError(kind: .invalidArgument, message: "Redis URL has an invalid port")
        }
        port = value
    }

    /// The URL with the password replaced by `***`, safe to log.
    public var redactedURL: String {
        var auth = ""
        if password != nil { auth = "\(username ?? ""):***@" } else if let username { auth = "\(username)@" }
        let hostText = host.contains(":") ? "[\(host)]" : host
        return "redis://\(auth)\(hostText):\(port)/\(database)"
    }

    private static func percentDecoded(_ text: Substring) -> String {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
               let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
