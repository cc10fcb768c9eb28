import Foundation
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 (a free port), standing in for a team's webhook
/// endpoint: it records every request and answers with the next status of `answers` (the
/// last one repeats). One request per connection, served on a background thread.
final class BudgetWebhookReceiver: Sendable {
    struct Request: Sendable {
        let method: String
        let path: String
        /// Header names in lower case.
        let headers: [String: String]
        let body: [UInt8]
        let answered: Int
        let at: ContinuousClock.Instant
    }

    let port: Int
    private let listener: Int32
    private let state: Mutex<(requests: [Request], answers: [Int])>

    init(answers: [Int]) throws {
        state = Mutex((requests: [], answers: answers))
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0, "socket() failed: errno \(errno)")
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(bound == 0 && listen(fd, 16) == 0, "cannot listen on 127.0.0.1: errno \(errno)")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in serve() }
        thread.name = "webhook-receiver"
        thread.start()
    }

    var url: String { "http://127.0.0.1:\(port)/hooks/cost" }

    var requests: [Request] { state.withLock { $0.requests } }

    /// Stops accepting connections.
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func serve() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            handle(client)
            close(client)
        }
    }

    private func handle(_ client: Int32) {
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var data: [UInt8] = []
        var headerEnd: Int?
        while headerEnd == nil {
            guard let chunk = receive(client) else { return }
            data += chunk
            headerEnd = Self.find([13, 10, 13, 10], in: data)
        }
        guard let end = headerEnd else { return }
        let head = String(decoding: data[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = head.first?.split(separator: " ").map(String.init) ?? []
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        if headers["expect"]?.lowercased() == "100-continue" { send(client, "HTTP/1.1 100 Continue\r\n\r\n") }
        var body = Array(data[(end + 4)...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" {
            while Self.find([48, 13, 10, 13, 10], in: body) == nil, let chunk = receive(client) { body += chunk }
            body = Self.dechunked(body)
        } else {
            let length = Int(headers["content-length"] ?? "0") ?? 0
            while body.count < length, let chunk = receive(client) { body += chunk }
        }
        let status = state.withLock { s -> Int in
            let answer = s.answers.count > 1 ? s.answers.removeFirst() : (s.answers.first ?? 200)
            s.requests.append(Request(method: requestLine.first ?? "", path: requestLine.count > 1 ? requestLine[1] : "",
                                      headers: headers, body: body, answered: answer, at: .now))
            return answer
        }
        let reason = status == 200 ? "OK" : "Internal Server Error"
        send(client, "HTTP/1.1 \(status) \(reason)\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
    }

    private func receive(_ client: Int32) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let n = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
        return n > 0 ? Array(buffer[..<n]) : nil
    }

    private func send(_ client: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            offset += n
        }
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
        return nil
    }

    static func dechunked(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while let lineEnd = find([13, 10], in: Array(bytes[i...])).map({ $0 + i }),
              let size = Int(String(decoding: bytes[i..<lineEnd], as: UTF8.self).split(separator: ";").first ?? "", radix: 16),
              size > 0, lineEnd + 2 + size <= bytes.count {
            out += bytes[(lineEnd + 2)..<(lineEnd + 2 + size)]
            i = lineEnd + 2 + size + 2
            if i >= bytes.count { break }
        }
        return out
    }
}

/// HMAC-SHA256 computed by `openssl`, independent of the code under test.
enum BudgetHMAC {
    static func sha256Hex(secret: String, message: [UInt8]) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("cost-it-hmac-\(IntegrationEnvironment.uniqueSuffix())")
        try Data(message).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let output = try CommandRunner.run(URL(fileURLWithPath: "/usr/bin/openssl"),
                                           ["dgst", "-sha256", "-hmac", secret, "-r", file.path])
        try #require(output.status == 0, "openssl dgst failed: \(output.combined)")
        return String(output.standardOutput.prefix { !$0.isWhitespace })
    }
}
