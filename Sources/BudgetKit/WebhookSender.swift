import Crypto
import CostStore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging

/// Posts an alert's JSON to a webhook, signed so the receiver can check it came from us:
///
///     X-Cost-Timestamp: <unix seconds>
///     X-Cost-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>
///
/// The body carries a Slack-compatible `text` field.
struct WebhookSender {
    let logger: Logger
    var timeout: TimeInterval = 5

    static func signature(secret: String, timestamp: String, body: [UInt8]) -> String {
        let key = SymmetricKey(data: Array(secret.utf8))
        var message = Array(timestamp.utf8)
        message.append(UInt8(ascii: "."))
        message.append(contentsOf: body)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: key)
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    func send(_ d: WebhookDelivery) -> (status: Int?, error: String) {
        guard let url = URL(string: d.url) else { return (nil, "invalid URL") }
        let body = Array(d.payload.utf8)
        let timestamp = String(Int(Date().timeIntervalSince1970))
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.httpBody = Data(body)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(timestamp, forHTTPHeaderField: "X-Cost-Timestamp")
        request.setValue(Self.signature(secret: d.secret, timestamp: timestamp, body: body), forHTTPHeaderField: "X-Cost-Signature")
        request.setValue("\(d.alertID)", forHTTPHeaderField: "X-Cost-Alert-Id")
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox()
        let task = URLSession.shared.dataTask(with: request) { _, response, error in
            box.set((response as? HTTPURLResponse)?.statusCode, error.map { "\($0.localizedDescription)" })
            done.signal()
        }
        task.resume()
        if done.wait(timeout: .now() + timeout + 1) == .timedOut {
            task.cancel()
            return (nil, "no answer within \(Int(timeout)) s")
        }
        let (status, error) = box.get()
        return (status, error ?? (status.map { "HTTP \($0)" } ?? "no response"))
    }
}

/// Carries the completion handler's result back to the waiting thread.
private final class ResultBox: @unchecked Sendable {
    // Invariant: written once by the completion handler before the semaphore is signalled,
    // read by the waiter only after it.
    private var status: Int?
    private var error: String?
    func set(_ s: Int?, _ e: String?) { status = s; error = e }
    func get() -> (Int?, String?) { (status, error) }
}
