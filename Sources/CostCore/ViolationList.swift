/// All the rules a message broke: never empty.
public struct ViolationList: Error, Sendable, Equatable, CustomStringConvertible {
    public let violations: [Violation]

    public init(_ first: Violation, _ more: [Violation] = []) {
        violations = [first] + more
    }

    /// Nil when `violations` is empty.
    public init?(_ violations: [Violation]) {
        guard !violations.isEmpty else { return nil }
        self.violations = violations
    }

    public var first: Violation { violations[0] }

    /// "input_tokens [range]: …; tags.team [type]: …"
    public var description: String {
        violations.map(\.description).joined(separator: "; ")
    }
}
