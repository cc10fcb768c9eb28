/// What a budget counts: every event, or the events of one provider, agent, session or tag.
///
/// The text form (`text`, `init(parsing:)`) is what admins write and what is stored:
/// `global`, `provider:<provider>`, `agent:<agent_id>`, `session:<session_id>`,
/// `tag:<key>=<value>`. Everything after the first `:` (for tags: after the first `=`) is the
/// value, so agent and session ids may themselves contain `:` and tag values may contain `=`.
///
/// Values follow the contract's field rules (contract v1 §1):
/// - provider: `^[a-z0-9][a-z0-9_-]{0,31}$`
/// - agent: 1–128 of `[A-Za-z0-9._:@/-]`
/// - session: 1–128 printable characters (no control characters)
/// - tag key: `^[a-z0-9_.-]{1,64}$`; tag value: 1–256 printable characters (a budget on an
///   empty tag value is refused, although events may carry one)
///
/// Only `init(parsing:)` validates; a scope built from the cases directly is taken as is.
public enum BudgetScope: Hashable, Sendable, CustomStringConvertible {
    case global
    case provider(String)
    case agent(String)
    case session(String)
    case tag(key: String, value: String)

    static let formsHint = "use global, provider:<p>, agent:<a>, session:<s> or tag:<key>=<value>"

    /// Parses and validates the text form; throws a `BudgetError` naming the rule broken.
    public init(parsing text: String) throws(BudgetError) {
        if text == "global" {
            self = .global
            return
        }
        guard let colon = text.firstIndex(of: ":") else { throw Self.unknownForm(text) }
        let form = text[..<colon]
        let value = String(text[text.index(after: colon)...])
        switch form {
        case "provider":
            guard FieldText.isProviderName(value) else {
                throw BudgetError("provider in scope \(BudgetError.quoted(text)) must match ^[a-z0-9][a-z0-9_-]{0,31}$")
            }
            self = .provider(value)
        case "agent":
            let length = FieldText.scalarCount(value)
            guard length >= 1, length <= 128, FieldText.isAgentIDText(value) else {
                throw BudgetError("agent in scope \(BudgetError.quoted(text)) must be 1–128 of [A-Za-z0-9._:@/-]")
            }
            self = .agent(value)
        case "session":
            let length = FieldText.scalarCount(value)
            guard length >= 1, length <= 128, FieldText.isPrintable(value) else {
                throw BudgetError("session in scope \(BudgetError.quoted(text)) must be 1–128 printable characters")
            }
            self = .session(value)
        case "tag":
            guard let equals = value.firstIndex(of: "=") else {
                throw BudgetError("tag scope \(BudgetError.quoted(text)) must have the form tag:<key>=<value>")
            }
            let key = String(value[..<equals])
            let tagValue = String(value[value.index(after: equals)...])
            guard FieldText.isTagKey(key) else {
                throw BudgetError("tag key in scope \(BudgetError.quoted(text)) must match ^[a-z0-9_.-]{1,64}$")
            }
            let length = FieldText.scalarCount(tagValue)
            guard length >= 1, length <= 256, FieldText.isPrintable(tagValue) else {
                throw BudgetError("tag value in scope \(BudgetError.quoted(text)) must be 1–256 printable characters")
            }
            self = .tag(key: key, value: tagValue)
        default:
            throw Self.unknownForm(text)
        }
    }

    private static func unknownForm(_ text: String) -> BudgetError {
        BudgetError("unknown scope form \(BudgetError.quoted(text)): \(formsHint)")
    }

    /// The text form; `BudgetScope(parsing: scope.text) == scope` for every valid scope.
    public var text: String {
        switch self {
        case .global: return "global"
        case .provider(let provider): return "provider:" + provider
        case .agent(let agent): return "agent:" + agent
        case .session(let session): return "session:" + session
        case .tag(let key, let value): return "tag:" + key + "=" + value
        }
    }

    public var description: String { text }

    /// True when the event counts toward a budget on this scope. Comparisons are exact
    /// (case-sensitive, no normalisation).
    public func matches(_ event: UsageEvent) -> Bool {
        switch self {
        case .global: return true
        case .provider(let provider): return event.provider == provider
        case .agent(let agent): return event.agentID == agent
        case .session(let session): return event.sessionID == session
        case .tag(let key, let value): return event.tags[key] == value
        }
    }
}
