/// Which calls a circuit breaker guards (contract v1 §4): every call (`global`), the calls to
/// one provider (`provider:<provider>`) or the calls of one agent (`agent:<agent_id>`).
///
/// The text form is what admins write in a `cost.control.v1` command and what names the Redis
/// hash (`cost:breaker:<text>`). Values follow the usage event's field rules (contract §1):
/// - provider: `^[a-z0-9][a-z0-9_-]{0,31}$`
/// - agent: 1–128 of `[A-Za-z0-9._:@/-]` (everything after the first `:` is the id, so an
///   agent id may itself contain `:`)
///
/// Only `init(parsing:)` validates; a scope built from the cases directly is taken as is.
public enum BreakerScope: Hashable, Sendable, CustomStringConvertible {
    case global
    case provider(String)
    case agent(String)

    public static let keyPrefix = "cost:breaker:"

    /// Parses and validates the text form; throws a `BreakerError` naming the rule broken.
    public init(parsing text: String) throws(BreakerError) {
        if text == "global" {
            self = .global
            return
        }
        guard let colon = text.firstIndex(of: ":") else { throw Self.unknownForm(text) }
        let value = String(text[text.index(after: colon)...])
        switch text[..<colon] {
        case "provider":
            guard FieldText.isProviderName(value) else {
                throw BreakerError("provider in breaker scope \(BudgetError.quoted(text)) must match ^[a-z0-9][a-z0-9_-]{0,31}$")
            }
            self = .provider(value)
        case "agent":
            let length = FieldText.scalarCount(value)
            guard length >= 1, length <= 128, FieldText.isAgentIDText(value) else {
                throw BreakerError("agent in breaker scope \(BudgetError.quoted(text)) must be 1–128 of [A-Za-z0-9._:@/-]")
            }
            self = .agent(value)
        default:
            throw Self.unknownForm(text)
        }
    }

    /// The three scopes that guard one call (contract §4), in the order the gate checks them.
    public static func scopes(provider: String, agentID: String) -> [BreakerScope] {
        [.global, .provider(provider), .agent(agentID)]
    }

    /// `global`, `provider:<provider>` or `agent:<agent_id>`.
    public var text: String {
        switch self {
        case .global: return "global"
        case .provider(let name): return "provider:" + name
        case .agent(let id): return "agent:" + id
        }
    }

    /// The Redis hash holding this scope's state: `cost:breaker:<text>`.
    public var redisKey: String { Self.keyPrefix + text }

    public var description: String { text }

    /// The scope when it satisfies `init(parsing:)`'s rules, nil otherwise.
    static func validated(_ scope: BreakerScope) -> BreakerScope? {
        (try? BreakerScope(parsing: scope.text)).flatMap { $0 == scope ? $0 : nil }
    }

    private static func unknownForm(_ text: String) -> BreakerError {
        BreakerError("unknown breaker scope \(BudgetError.quoted(text)); use global, provider:<provider> or agent:<agent_id>")
    }
}
