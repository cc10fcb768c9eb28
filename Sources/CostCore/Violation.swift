/// One rule broken: a machine-readable field and rule code, and a message saying how to fix it.
///
/// `field` is a contract field name (`input_tokens`), `tags.<key>` for a tag value, `tags` for
/// a tag key, or `$` for the whole message. `rule` is one of the stable codes listed in
/// `Violation.Rule`.
public struct Violation: Sendable, Equatable, CustomStringConvertible {
    public let field: String
    public let rule: String
    public let message: String

    public init(field: String, rule: String, message: String) {
        self.field = field
        self.rule = rule
        self.message = message
    }

    /// "input_tokens [range]: input_tokens must be an integer from 0 to 100000000 (got -1)"
    public var description: String { "\(field) [\(rule)]: \(message)" }

    /// The stable rule codes.
    public enum Rule {
        public static let tooLarge = "too_large"
        public static let invalidJSON = "invalid_json"
        public static let notObject = "not_object"
        public static let required = "required"
        public static let type = "type"
        public static let schema = "schema"
        public static let pattern = "pattern"
        public static let length = "length"
        public static let range = "range"
        public static let future = "future"
        public static let format = "format"
        public static let enumeration = "enum"
        public static let cacheExceedsInput = "cache_exceeds_input"
        public static let reasoningExceedsOutput = "reasoning_exceeds_output"
        public static let tooMany = "too_many"
        public static let printable = "printable"
    }
}
