import CostCore
import Testing

/// Builders for the admin command tests.
enum ControlFixture {
    static let issuedText = "2026-11-27T05:00:00Z"
    static let issuedMs: Int64 = 1_795_755_600_000
    static let keyA = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

    static let overrideMembers: [(String, JSONValue)] = [
        ("schema", .string("cost.control.v1")), ("command_id", .string("cmd-0001")),
        ("issued_at", .string(issuedText)), ("issuer", .string("alice")), ("key_id", .string("alice-2026")),
        ("action", .string("override")), ("override_code", .string("EMERGENCY_OVERRIDE")),
        ("scope", .string("global")), ("duration_minutes", .number("60")), ("reason", .string("incident 42")),
    ]

    /// The override example of contract §3 with `changes` applied (nil value: remove the field).
    static func body(_ changes: [(String, JSONValue?)] = []) -> [UInt8] {
        var members = overrideMembers
        for (name, value) in changes {
            if let index = members.firstIndex(where: { $0.0 == name }) {
                if let value { members[index].1 = value } else { members.remove(at: index) }
            } else if let value {
                members.append((name, value))
            }
        }
        return Array(JSONValue.object(members).serialized().utf8)
    }

    static func command(
        action: ControlAction = .override, code: OverrideCode? = .emergency, scope: BreakerScope = .global,
        duration: Int? = 60, keyID: String = "alice-2026", issuedMs: Int64 = issuedMs, id: String = "cmd-0001"
    ) -> ControlCommand {
        ControlCommand(commandID: id, issuedAt: Timestamp(millisecondsSinceEpoch: issuedMs), issuer: "alice",
                       keyID: keyID, action: action, overrideCode: code, scope: scope, durationMinutes: duration,
                       reason: "incident 42")
    }

    static func decodeError(_ bytes: [UInt8]) -> ControlCommandError? {
        do {
            _ = try ControlCommand.decode(bytes)
            return nil
        } catch {
            return error
        }
    }
}

@Suite("ControlCommand decoding and encoding (cost.control.v1)")
struct ControlCommandDecodingTests {
    typealias F = ControlFixture

    @Test("the contract's override example decodes every field")
    func decodesExample() throws {
        let example = """
            {"schema":"cost.control.v1","command_id":"cmd-0001","issued_at":"2026-11-27T05:00:00Z",
             "issuer":"alice","key_id":"alice-2026","action":"override",
             "override_code":"EMERGENCY_OVERRIDE","scope":"global","duration_minutes":60,
             "reason":"incident 42"}
            """
        let command = try ControlCommand.decode(Array(example.utf8))
        #expect(command == F.command())
        #expect(command.issuedAt.millisecondsSinceEpoch == F.issuedMs)
    }

    @Test("trips and resets decode without a code; a trip may carry a duration")
    func tripAndReset() throws {
        let trip = try ControlCommand.decode(F.body([("action", .string("trip")), ("override_code", nil),
                                                     ("scope", .string("provider:openai"))]))
        #expect(trip.action == .trip && trip.overrideCode == nil && trip.durationMinutes == 60 && trip.scope == .provider("openai"))
        let reset = try ControlCommand.decode(F.body([("action", .string("reset")), ("override_code", nil),
                                                      ("duration_minutes", nil), ("scope", .string("agent:a:b"))]))
        #expect(reset.action == .reset && reset.durationMinutes == nil && reset.scope == .agent("a:b"))
    }

    @Test("jsonBytes writes compact JSON in contract order and decodes back equal")
    func encoding() throws {
        let command = F.command()
        let text = String(decoding: command.jsonBytes(), as: UTF8.self)
        #expect(text == #"{"schema":"cost.control.v1","command_id":"cmd-0001","issued_at":"2026-11-27T05:00:00Z","issuer":"alice","key_id":"alice-2026","action":"override","override_code":"EMERGENCY_OVERRIDE","scope":"global","duration_minutes":60,"reason":"incident 42"}"#)
        #expect(try ControlCommand.decode(command.jsonBytes()) == command)
        var reset = F.command(action: .reset, code: nil, scope: .agent("x@y"), duration: nil, issuedMs: F.issuedMs + 123)
        reset.reason = "all clear \"quoted\" ünïcode"
        let resetText = String(decoding: reset.jsonBytes(), as: UTF8.self)
        #expect(!resetText.contains("override_code") && !resetText.contains("duration_minutes"))
        #expect(resetText.contains(#""issued_at":"2026-11-27T05:00:00.123000Z""#))
        #expect(try ControlCommand.decode(reset.jsonBytes()) == reset)
    }

    @Test("a body of exactly 4 KiB is accepted; one byte more is refused before parsing")
    func sizeLimit() throws {
        var body = F.body()
        body.insert(contentsOf: Array(repeating: UInt8(ascii: " "), count: 4096 - body.count), at: 1)
        #expect(body.count == 4096)
        #expect(try ControlCommand.decode(body) == F.command())
        body.insert(UInt8(ascii: " "), at: 1)
        #expect(F.decodeError(body)?.field == "$")
        #expect(F.decodeError(Array(repeating: UInt8(ascii: "{"), count: 5000))?.message.contains("4 KiB") == true)
    }

    @Test("every broken rule is refused as invalid_command naming the field", arguments: [
        ([("schema", JSONValue?.some(.string("cost.control.v2")))], "schema"),
        ([("schema", nil)], "schema"),
        ([("command_id", .string(""))], "command_id"),
        ([("command_id", .string("has space"))], "command_id"),
        ([("command_id", .string(String(repeating: "c", count: 129)))], "command_id"),
        ([("command_id", .number("1"))], "command_id"),
        ([("issued_at", .string("2026-11-27 05:00:00"))], "issued_at"),
        ([("issued_at", .string("2026-11-27T05:00:00"))], "issued_at"),
        ([("issuer", nil)], "issuer"),
        ([("issuer", .string(String(repeating: "i", count: 65)))], "issuer"),
        ([("issuer", .string("tab\there"))], "issuer"),
        ([("key_id", .string(""))], "key_id"),
        ([("action", .string("delete"))], "action"),
        ([("override_code", .string("GOD_MODE"))], "override_code"),
        ([("override_code", .null)], "override_code"),
        ([("scope", .string("session:s1"))], "scope"),
        ([("scope", .string("provider:Bad"))], "scope"),
        ([("duration_minutes", .number("0"))], "duration_minutes"),
        ([("duration_minutes", .number("10081"))], "duration_minutes"),
        ([("duration_minutes", .number("60.0"))], "duration_minutes"),
        ([("duration_minutes", .string("60"))], "duration_minutes"),
        ([("duration_minutes", .null)], "duration_minutes"),
        ([("duration_minutes", nil)], "duration_minutes"),
        ([("reason", .string(""))], "reason"),
        ([("reason", .string(String(repeating: "r", count: 513)))], "reason"),
        ([("reason", nil)], "reason"),
        ([("extra", .bool(true))], "extra"),
        ([("action", .string("reset")), ("override_code", nil)], "duration_minutes"),
        ([("action", .string("trip"))], "override_code"),
    ] as [([(String, JSONValue?)], String)])
    func invalid(changes: [(String, JSONValue?)], field: String) throws {
        let error = try #require(F.decodeError(F.body(changes)))
        #expect(error.reason == "invalid_command" && error.field == field)
    }

    @Test("limits are inclusive: 1 and 10080 minutes, 128-character ids, 64-character issuers, 512-character reasons")
    func inclusiveLimits() throws {
        for minutes in ["1", "10080"] {
            #expect(try ControlCommand.decode(F.body([("duration_minutes", .number(minutes))])).durationMinutes == Int(minutes))
        }
        let long = try ControlCommand.decode(F.body([
            ("command_id", .string(String(repeating: "c", count: 128))), ("issuer", .string(String(repeating: "é", count: 64))),
            ("reason", .string(String(repeating: "r", count: 512))),
        ]))
        #expect(long.commandID.count == 128 && long.issuer.count == 64 && long.reason.count == 512)
    }

    @Test("an override without override_code is refused as missing_override_code")
    func missingCode() throws {
        let error = try #require(F.decodeError(F.body([("override_code", nil)])))
        #expect(error.reason == "missing_override_code" && error.field == "override_code")
    }

    @Test("bodies that are not a JSON object are refused", arguments: [
        "", "not json", "[1,2]", "\"cost.control.v1\"", #"{"schema":"cost.control.v1","schema":"cost.control.v1"}"#,
    ])
    func notAnObject(text: String) throws {
        let error = try #require(F.decodeError(Array(text.utf8)))
        #expect(error.reason == "invalid_command" && error.field == "$")
    }

    @Test("applying a command becomes the matching breaker event")
    func breakerEvents() {
        let now: Int64 = F.issuedMs + 1000
        #expect(F.command().breakerEvent(nowMs: now) == .override(untilMs: now + 3_600_000, nowMs: now))
        #expect(F.command(action: .trip, code: nil, duration: 30).breakerEvent(nowMs: now)
                == .trip(.manual(reason: "incident 42", untilMs: now + 1_800_000), nowMs: now))
        #expect(F.command(action: .trip, code: nil, duration: nil).breakerEvent(nowMs: now)
                == .trip(.manual(reason: "incident 42", untilMs: nil), nowMs: now))
        #expect(F.command(action: .reset, code: nil, duration: nil).breakerEvent(nowMs: now) == .manualReset(nowMs: now))
    }
}
