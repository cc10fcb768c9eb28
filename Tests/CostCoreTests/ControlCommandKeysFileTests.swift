import Foundation
import CostCore
import Testing

@Suite("ControlCommand keys file (cost.keys.v1)")
struct ControlCommandKeysFileTests {
    typealias F = ControlFixture

    static let example = """
        {"schema": "cost.keys.v1",
         "codes": {"EMERGENCY_OVERRIDE": {"max_minutes": 45}},
         "keys": [{"key_id": "alice-2026", "public_key": "\(ControlFixture.keyA)",
                   "actions": ["override", "trip", "reset"], "codes": ["EMERGENCY_OVERRIDE", "BUDGET_OVERRIDE"],
                   "max_minutes": {"EMERGENCY_OVERRIDE": 30}},
                  {"key_id": "ops-bot", "public_key": "\(ControlFixture.keyA)", "actions": ["trip"]}]}
        """

    func parseError(_ text: String) -> ControlCommandError? {
        do {
            _ = try KeysFile.parse(Array(text.utf8))
            return nil
        } catch {
            return error
        }
    }

    @Test("the documented example parses, with defaults for codes and limits left out")
    func parsesExample() throws {
        let file = try KeysFile.parse(Array(Self.example.utf8))
        #expect(file.keys.map(\.keyID) == ["alice-2026", "ops-bot"])
        let alice = file.keys[0]
        #expect(alice.allowedActions == [.override, .trip, .reset] && alice.allowedCodes == [.emergency, .budget])
        #expect(alice.maxDurationMinutes == [.emergency: 30] && alice.publicKeyBytes == Array(0..<32))
        #expect(file.codeMaxMinutes == [.emergency: 45, .budget: 240, .admin: 1440])
        #expect(file.maxMinutes(for: .emergency, key: alice) == 30 && file.maxMinutes(for: .budget, key: alice) == 240)
        #expect(file.keys[1].allowedCodes.isEmpty && file.keys[1].allowedActions == [.trip])
    }

    @Test("an empty key list is valid; code maxima default to 60, 240 and 1440 minutes")
    func defaults() throws {
        let file = try KeysFile.parse(Array(#"{"schema":"cost.keys.v1","keys":[]}"#.utf8))
        #expect(file.keys.isEmpty)
        #expect(file.codeMaxMinutes == [.emergency: 60, .budget: 240, .admin: 1440])
    }

    @Test("mistakes in a keys file are refused as invalid_keys_file naming the place", arguments: [
        (#"{"schema":"cost.keys.v2","keys":[]}"#, "schema"),
        (#"{"schema":"cost.keys.v1"}"#, "keys"),
        (#"{"schema":"cost.keys.v1","keys":[],"extra":1}"#, "$"),
        (#"{"schema":"cost.keys.v1","codes":{"GOD_MODE":{"max_minutes":5}},"keys":[]}"#, "codes"),
        (#"{"schema":"cost.keys.v1","codes":{"ADMIN_OVERRIDE":{"max_minutes":0}},"keys":[]}"#, "codes.ADMIN_OVERRIDE.max_minutes"),
        (#"{"schema":"cost.keys.v1","keys":[{"key_id":"a","public_key":"AAAA","actions":[]}]}"#, "keys[0].public_key"),
        (#"{"schema":"cost.keys.v1","keys":[{"key_id":"a","public_key":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==","actions":[]}]}"#, "keys[0].public_key"),
        (#"{"schema":"cost.keys.v1","keys":[{"key_id":"","public_key":"K","actions":[]}]}"#, "keys[0].key_id"),
        (#"{"schema":"cost.keys.v1","keys":[{"key_id":"a","public_key":"K"}]}"#, "keys[0].actions"),
        (#"{"schema":"cost.keys.v1","keys":[{"key_id":"a","public_key":"K","actions":["delete"]}]}"#, "keys[0].actions"),
        (#"{"schema":"cost.keys.v1","keys":[{"key_id":"a","public_key":"K","actions":["trip","trip"]}]}"#, "keys[0].actions"),
        (#"{"schema":"cost.keys.v1","keys":[{"key_id":"a","public_key":"K","actions":[],"codes":["NOPE"]}]}"#, "keys[0].codes"),
        (#"{"schema":"cost.keys.v1","keys":[{"key_id":"a","public_key":"K","actions":[],"max_minutes":{"ADMIN_OVERRIDE":10081}}]}"#, "keys[0].max_minutes.ADMIN_OVERRIDE"),
        (#"{"schema":"cost.keys.v1","keys":[{"key_id":"a","public_key":"K","actions":[],"role":"root"}]}"#, "keys[0]"),
        (#"{"schema":"cost.keys.v1","keys":[{"key_id":"a","public_key":"K","actions":[]},{"key_id":"a","public_key":"K","actions":[]}]}"#, "keys[1].key_id"),
        ("not json", "$"),
    ])
    func invalid(text: String, field: String) throws {
        let error = try #require(parseError(text.replacingOccurrences(of: #""K""#, with: "\"\(F.keyA)\"")))
        #expect(error.reason == "invalid_keys_file" && error.field == field)
    }
}
