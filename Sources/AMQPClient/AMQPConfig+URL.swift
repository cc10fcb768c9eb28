extension AMQPConfig {
    /// Parses `amqp://user:pass@host:port/vhost` or `amqps://…`.
    ///
    /// User, password and vhost are percent-decoded (`/%2f` is the vhost `/`); an empty or
    /// missing path is the vhost `/`. A missing user or password is `guest`. The query
    /// parameters `heartbeat` (seconds), `frame_max` and `connection_timeout` (milliseconds)
    /// are honoured; other parameters are ignored. `amqps://` turns on TLS with peer and
    /// hostname verification. Errors are `.invalidArgument` and never contain the password.
    public init(url: String) throws(AMQPError) {
        self = try AMQPURLParser.parse(url)
    }
}

/// The URL grammar of `AMQPConfig(url:)`; internal so tests can reach the codec.
enum AMQPURLParser {
    static func parse(_ url: String) throws(AMQPError) -> AMQPConfig {
        let secure: Bool
        var rest: Substring
        let lower = url.lowercased()
        if lower.hasPrefix("amqp://") {
            secure = false
            rest = url.dropFirst("amqp://".count)
        } else if lower.hasPrefix("amqps://") {
            secure = true
            rest = url.dropFirst("amqps://".count)
        } else {
            throw invalid("the URL must start with amqp:// or amqps://")
        }

        var query: Substring = ""
        if let q = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: q)...]
            rest = rest[..<q]
        }
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }

        var config = AMQPConfig(tls: secure ? AMQPTLSConfig() : nil)
        var hostPort = rest
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            hostPort = rest[rest.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                config.user = try decode(userInfo[..<colon], what: "user name")
                config.password = try decode(userInfo[userInfo.index(after: colon)...], what: "password")
            } else {
                config.user = try decode(userInfo, what: "user name")
            }
        }

        let (host, port) = try parseHostPort(hostPort)
        if let host { config.host = host }
        if let port { config.port = port }

        if path.contains("/") {
            throw invalid("the vhost must be one path segment; encode '/' as %2F")
        }
        config.vhost = path.isEmpty ? "/" : try decode(path, what: "vhost")

        try applyQuery(query, to: &config)
        return config
    }

    private static func parseHostPort(_ text: Substring) throws(AMQPError) -> (String?, Int?) {
        var hostText: Substring
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw invalid("unterminated IPv6 address") }
            hostText = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw invalid("unexpected text after the IPv6 address") }
                portText = after.dropFirst()
            }
        } else if let colon = text.lastIndex(of: ":") {
            hostText = text[..<colon]
            portText = text[text.index(after: colon)...]
        } else {
            hostText = text
        }
        var port: Int?
        if let portText {
            guard let value = Int(portText), (1...65_535).contains(value) else {
                throw invalid("the port must be a number from 1 to 65535")
            }
            port = value
        }
        let host = try decode(hostText, what: "host")
        return (host.isEmpty ? nil : host, port)
    }

    private static func applyQuery(_ query: Substring, to config: inout AMQPConfig) throws(AMQPError) {
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = parts[0]
            let value = parts.count > 1 ? parts[1] : ""
            switch key {
            case "heartbeat":
                guard let seconds = Int(value), (0...65_535).contains(seconds) else {
                    throw invalid("heartbeat must be 0…65535 seconds")
                }
                config.heartbeatSeconds = seconds
            case "frame_max":
                guard let bytes = Int(value), (4_096...Int(Int32.max)).contains(bytes) else {
                    throw invalid("frame_max must be at least 4096")
                }
                config.frameMax = bytes
            case "connection_timeout":
                guard let millis = Int(value), millis > 0 else {
                    throw invalid("connection_timeout must be a positive number of milliseconds")
                }
                config.connectTimeout = .milliseconds(millis)
            default:
                continue
            }
        }
    }

    private static func invalid(_ message: String) -> AMQPError {
        AMQPError(kind: .invalidArgument, message: "invalid AMQP URL: \(message)")
    }

    /// Percent-decodes; names only *which* part was bad, never its text.
    static func decode(_ text: Substring, what: String) throws(AMQPError) -> String {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                throw invalid("bad percent-encoding in the \(what)")
            }
            bytes.append(high << 4 | low)
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw invalid("the \(what) is not UTF-8 after percent-decoding")
        }
        return decoded
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters.
    static func percentEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let digits = Array("0123456789ABCDEF".unicodeScalars)
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(digits[Int(byte >> 4)])
                out.unicodeScalars.append(digits[Int(byte & 0x0F)])
            }
        }
        return out
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
