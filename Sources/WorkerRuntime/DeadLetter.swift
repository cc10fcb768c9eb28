import AMQPClient
import CostCore

/// A rejected message as it goes to the dead-letter exchange: the original body, unchanged,
/// with the reason in headers. `costctl dlq list` reads these headers back.
public struct DeadLetter: Sendable {
    public static let fieldHeader = "x-cost-reject-field"
    public static let ruleHeader = "x-cost-reject-rule"
    public static let reasonHeader = "x-cost-reject-reason"
    public static let violationsHeader = "x-cost-violations"
    public static let rejectedByHeader = "x-cost-rejected-by"
    public static let rejectedAtHeader = "x-cost-rejected-at"
    public static let sourceQueueHeader = "x-cost-source-queue"
    public static let routingKeyHeader = "x-cost-original-routing-key"

    public let body: [UInt8]
    public let properties: AMQPProperties

    /// `violations` must not be empty; the first is the headline reason.
    public init(delivery: AMQPDelivery, violations: [Violation], rejectedBy: String, sourceQueue: String, now: Timestamp) {
        let first = violations.first ?? Violation(field: "$", rule: "unknown", message: "rejected")
        var headers = delivery.properties.headers
        headers[Self.fieldHeader] = .string(first.field)
        headers[Self.ruleHeader] = .string(first.rule)
        headers[Self.reasonHeader] = .string(String(first.message.prefix(1024)))
        headers[Self.violationsHeader] = .string(JSONValue.array(violations.prefix(32).map {
            .object([("field", .string($0.field)), ("rule", .string($0.rule)), ("message", .string($0.message))])
        }).serialized())
        headers[Self.rejectedByHeader] = .string(rejectedBy)
        headers[Self.rejectedAtHeader] = .string(now.rfc3339)
        headers[Self.sourceQueueHeader] = .string(sourceQueue)
        headers[Self.routingKeyHeader] = .string(delivery.routingKey)
        var properties = delivery.properties
        properties.headers = headers
        properties.persistent = true
        self.body = delivery.body
        self.properties = properties
    }
}
