import CostCore
import Testing

/// Builders shared by the budget tests.
enum BudgetFixture {
    static func at(_ text: String) throws -> Timestamp {
        try #require(Timestamp.parseRFC3339(text), "bad test timestamp \(text)")
    }

    static func usd(_ text: String) throws -> Nanodollars {
        try Nanodollars.parseUSD(text, allowNegative: true)
    }

    static func event(
        provider: String = "openai", agent: String = "team-a/planner@host", session: String = "s-1",
        tags: [String: String] = [:], occurredAt: Timestamp = Timestamp(secondsSinceEpoch: 1_795_756_800)
    ) -> UsageEvent {
        UsageEvent(
            eventID: "evt-1", occurredAt: occurredAt, sessionID: session, agentID: agent,
            provider: provider, model: "gpt-4o", inputTokens: 100, outputTokens: 10, tags: tags
        )
    }

    static func errorMessage(_ body: () throws(BudgetError) -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            return error.message
        }
    }
}

@Suite("Budget scopes: parsing, text form, matching events")
struct BudgetScopeTests {
    @Test("each scope form parses and its text round-trips", arguments: [
        ("global", BudgetScope.global),
        ("provider:openai", .provider("openai")),
        ("provider:x-ai_2", .provider("x-ai_2")),
        ("agent:planner@x", .agent("planner@x")),
        ("agent:team-a/planner:v2@host.local", .agent("team-a/planner:v2@host.local")),
        ("session:s-1", .session("s-1")),
        ("session:my session: 1", .session("my session: 1")),
        ("tag:team=a", .tag(key: "team", value: "a")),
        ("tag:env.name=prod=eu", .tag(key: "env.name", value: "prod=eu")),
    ])
    func parses(_ text: String, _ expected: BudgetScope) throws {
        let scope = try BudgetScope(parsing: text)
        #expect(scope == expected)
        #expect(scope.text == text)
        #expect(try BudgetScope(parsing: scope.text) == scope)
        #expect("\(scope)" == text)
    }

    @Test("an unknown scope form is refused with the list of forms", arguments: [
        "team:x", "", "Global", "global:x", "providers:openai", "openai", " global",
    ])
    func unknownForm(_ text: String) {
        let message = BudgetFixture.errorMessage { () throws(BudgetError) in _ = try BudgetScope(parsing: text) }
        #expect(message == "unknown scope form '\(text)': use global, provider:<p>, agent:<a>, session:<s> or tag:<key>=<value>")
    }

    @Test("the issue's example message for team:x")
    func teamMessage() {
        #expect(throws: BudgetError("unknown scope form 'team:x': use global, provider:<p>, agent:<a>, session:<s> or tag:<key>=<value>")) {
            try BudgetScope(parsing: "team:x")
        }
    }

    @Test("values breaking the contract's field rules are refused with the rule", arguments: [
        ("provider:OpenAI", "provider in scope 'provider:OpenAI' must match ^[a-z0-9][a-z0-9_-]{0,31}$"),
        ("provider:", "provider in scope 'provider:' must match ^[a-z0-9][a-z0-9_-]{0,31}$"),
        ("provider:-x", "provider in scope 'provider:-x' must match ^[a-z0-9][a-z0-9_-]{0,31}$"),
        ("provider:" + String(repeating: "a", count: 33),
         "provider in scope 'provider:" + String(repeating: "a", count: 33) + "' must match ^[a-z0-9][a-z0-9_-]{0,31}$"),
        ("agent:", "agent in scope 'agent:' must be 1–128 of [A-Za-z0-9._:@/-]"),
        ("agent:planner x", "agent in scope 'agent:planner x' must be 1–128 of [A-Za-z0-9._:@/-]"),
        ("session:", "session in scope 'session:' must be 1–128 printable characters"),
        ("session:a\nb", "session in scope 'session:a\\u{a}b' must be 1–128 printable characters"),
        ("tag:team", "tag scope 'tag:team' must have the form tag:<key>=<value>"),
        ("tag:Team=a", "tag key in scope 'tag:Team=a' must match ^[a-z0-9_.-]{1,64}$"),
        ("tag:=a", "tag key in scope 'tag:=a' must match ^[a-z0-9_.-]{1,64}$"),
        ("tag:team=", "tag value in scope 'tag:team=' must be 1–256 printable characters"),
    ])
    func invalidValue(_ text: String, _ expected: String) {
        let message = BudgetFixture.errorMessage { () throws(BudgetError) in _ = try BudgetScope(parsing: text) }
        #expect(message == expected)
    }

    @Test("length limits: agent and session 128, tag value 256")
    func lengthLimits() throws {
        #expect(try BudgetScope(parsing: "agent:" + String(repeating: "a", count: 128)) == .agent(String(repeating: "a", count: 128)))
        #expect(throws: BudgetError.self) { try BudgetScope(parsing: "agent:" + String(repeating: "a", count: 129)) }
        #expect(try BudgetScope(parsing: "session:" + String(repeating: "é", count: 128)) == .session(String(repeating: "é", count: 128)))
        #expect(throws: BudgetError.self) { try BudgetScope(parsing: "session:" + String(repeating: "é", count: 129)) }
        #expect(try BudgetScope(parsing: "tag:k=" + String(repeating: "v", count: 256)) == .tag(key: "k", value: String(repeating: "v", count: 256)))
        #expect(throws: BudgetError.self) { try BudgetScope(parsing: "tag:k=" + String(repeating: "v", count: 257)) }
    }

    @Test("global matches every event")
    func matchesGlobal() {
        #expect(BudgetScope.global.matches(BudgetFixture.event()))
        #expect(BudgetScope.global.matches(BudgetFixture.event(provider: "anthropic", agent: "x", session: "y")))
    }

    @Test("provider, agent and session scopes match exactly that value")
    func matchesIdentity() {
        let event = BudgetFixture.event(provider: "openai", agent: "planner@x", session: "s-1")
        #expect(BudgetScope.provider("openai").matches(event))
        #expect(!BudgetScope.provider("anthropic").matches(event))
        #expect(BudgetScope.agent("planner@x").matches(event))
        #expect(!BudgetScope.agent("Planner@x").matches(event))
        #expect(!BudgetScope.agent("planner").matches(event))
        #expect(BudgetScope.session("s-1").matches(event))
        #expect(!BudgetScope.session("s-10").matches(event))
    }

    @Test("a tag scope matches events carrying that key with that value")
    func matchesTag() {
        let scope = BudgetScope.tag(key: "team", value: "a")
        #expect(scope.matches(BudgetFixture.event(tags: ["team": "a", "env": "prod"])))
        #expect(!scope.matches(BudgetFixture.event(tags: ["team": "b"])))
        #expect(!scope.matches(BudgetFixture.event(tags: ["env": "a"])))
        #expect(!scope.matches(BudgetFixture.event(tags: [:])))
    }
}
