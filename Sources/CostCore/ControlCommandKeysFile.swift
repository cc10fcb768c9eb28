/// The trusted keys of a breaker worker, `cost.keys.v1` (JSON, at most 1 MiB):
///
///     {"schema": "cost.keys.v1",
///      "codes": {"EMERGENCY_OVERRIDE": {"max_minutes": 60},
///                "BUDGET_OVERRIDE": {"max_minutes": 240}},
///      "keys": [{"key_id": "alice-2026",
///                "public_key": "<standard base64 of the 32-byte Ed25519 public key>",
///                "actions": ["override", "trip", "reset"],
///                "codes": ["EMERGENCY_OVERRIDE"],
///                "max_minutes": {"EMERGENCY_OVERRIDE": 30}}]}
///
/// - `codes` (optional): each code's maximum override length, 1…10080 minutes; a code left
///   out keeps its default (EMERGENCY_OVERRIDE 60, BUDGET_OVERRIDE 240, ADMIN_OVERRIDE 1440).
/// - `keys` (required, may be empty): `key_id` 1–64 printable characters, unique;
///   `public_key` base64 of exactly 32 bytes; `actions` (required) a list of `override`,
///   `trip`, `reset`; `codes` (optional, default none) the override codes the key may use;
///   `max_minutes` (optional) per-code limits for this key, 1…10080 — the effective maximum
///   is the smaller of the key's and the code's.
///
/// Unknown fields, unknown actions or codes, duplicates and `null`s are refused (reason
/// `invalid_keys_file`): a typo in a security file must not silently grant or drop anything.
public struct KeysFile: Sendable, Equatable {
    public static let schema = "cost.keys.v1"
    public static let maxBytes = 1 << 20

    public var keys: [TrustedKey]
    /// Each code's maximum override length in minutes (every code present).
    public var codeMaxMinutes: [OverrideCode: Int]

    public init(keys: [TrustedKey], codeMaxMinutes: [OverrideCode: Int] = [:]) {
        self.keys = keys
        var maxima: [OverrideCode: Int] = [:]
        for code in OverrideCode.allCases { maxima[code] = codeMaxMinutes[code] ?? code.defaultMaxMinutes }
        self.codeMaxMinutes = maxima
    }

    /// The longest override `key` may issue under `code`: min(code maximum, key maximum).
    public func maxMinutes(for code: OverrideCode, key: TrustedKey) -> Int {
        let codeMax = codeMaxMinutes[code] ?? code.defaultMaxMinutes
        return min(codeMax, key.maxDurationMinutes[code] ?? codeMax)
    }

    public static func parse(_ bytes: some Collection<UInt8>) throws(ControlCommandError) -> KeysFile {
        guard bytes.count <= maxBytes else { throw fail("$", "keys file is over \(maxBytes) bytes") }
        let root: JSONValue
        do {
            root = try JSONParser.parse(bytes, maxDepth: 8)
        } catch {
            throw fail("$", "keys file is not valid UTF-8 JSON: \(error.description)")
        }
        let top = try object(root, "$", allowed: ["schema", "codes", "keys"])
        guard root["schema"]?.stringValue == schema else {
            throw fail("schema", "schema must be exactly \"\(schema)\"")
        }
        var codeMax: [OverrideCode: Int] = [:]
        if let codes = root["codes"] {
            for (name, entry) in try object(codes, "codes", allowed: nil) {
                let code = try overrideCode(name, "codes")
                _ = try object(entry, "codes.\(name)", allowed: ["max_minutes"])
                codeMax[code] = try minutes(entry["max_minutes"], "codes.\(name).max_minutes")
            }
        }
        guard let keysValue = top.first(where: { $0.0 == "keys" })?.1, case .array(let entries) = keysValue else {
            throw fail("keys", "keys is required and must be an array")
        }
        var keys: [TrustedKey] = []
        var seen: Set<String> = []
        for (index, entry) in entries.enumerated() {
            let key = try trustedKey(entry, "keys[\(index)]")
            guard seen.insert(key.keyID).inserted else {
                throw fail("keys[\(index)].key_id", "key_id \(FieldText.quoted(key.keyID)) appears twice")
            }
            keys.append(key)
        }
        return KeysFile(keys: keys, codeMaxMinutes: codeMax)
    }

    private static func trustedKey(_ entry: JSONValue, _ path: String) throws(ControlCommandError) -> TrustedKey {
        _ = try object(entry, path, allowed: ["key_id", "public_key", "actions", "codes", "max_minutes"])
        guard let keyID = entry["key_id"]?.stringValue, (1...64).contains(FieldText.scalarCount(keyID)),
              FieldText.isPrintable(keyID) else {
            throw fail("\(path).key_id", "key_id is required: 1–64 printable characters")
        }
        guard let publicKey = entry["public_key"]?.stringValue else {
            throw fail("\(path).public_key", "public_key is required: base64 of a 32-byte Ed25519 public key")
        }
        var key = TrustedKey(keyID: keyID, publicKeyBase64: publicKey, allowedActions: [])
        guard key.publicKeyBytes != nil else {
            throw fail("\(path).public_key", "public_key of \(FieldText.quoted(keyID)) is not base64 of exactly 32 bytes")
        }
        guard let actions = entry["actions"] else { throw fail("\(path).actions", "actions is required") }
        for name in try strings(actions, "\(path).actions") {
            guard let action = ControlAction(rawValue: name) else {
                throw fail("\(path).actions", "unknown action \(FieldText.quoted(name)); use override, trip or reset")
            }
            key.allowedActions.insert(action)
        }
        if let codes = entry["codes"] {
            for name in try strings(codes, "\(path).codes") {
                key.allowedCodes.insert(try overrideCode(name, "\(path).codes"))
            }
        }
        if let limits = entry["max_minutes"] {
            for (name, value) in try object(limits, "\(path).max_minutes", allowed: nil) {
                key.maxDurationMinutes[try overrideCode(name, "\(path).max_minutes")] =
                    try minutes(value, "\(path).max_minutes.\(name)")
            }
        }
        return key
    }

    private static func object(
        _ value: JSONValue, _ path: String, allowed: Set<String>?
    ) throws(ControlCommandError) -> [(String, JSONValue)] {
        guard case .object(let members) = value else { throw fail(path, "\(path) must be an object, got \(value.typeName)") }
        if let allowed {
            for (name, _) in members where !allowed.contains(name) {
                throw fail(path, "unknown field \(FieldText.quoted(name)) in \(path)")
            }
        }
        return members
    }

    private static func strings(_ value: JSONValue, _ path: String) throws(ControlCommandError) -> [String] {
        guard case .array(let items) = value else { throw fail(path, "\(path) must be an array of strings") }
        var result: [String] = []
        for item in items {
            guard let text = item.stringValue else { throw fail(path, "\(path) must be an array of strings") }
            guard !result.contains(text) else { throw fail(path, "\(FieldText.quoted(text)) appears twice in \(path)") }
            result.append(text)
        }
        return result
    }

    private static func overrideCode(_ name: String, _ path: String) throws(ControlCommandError) -> OverrideCode {
        guard let code = OverrideCode(rawValue: name) else {
            throw fail(path, "unknown override code \(FieldText.quoted(name)); use EMERGENCY_OVERRIDE, BUDGET_OVERRIDE or ADMIN_OVERRIDE")
        }
        return code
    }

    private static func minutes(_ value: JSONValue?, _ path: String) throws(ControlCommandError) -> Int {
        guard let number = value?.integerValue, number >= 1, number <= Int64(ControlCommand.maxDurationMinutes) else {
            throw fail(path, "\(path) must be an integer 1…\(ControlCommand.maxDurationMinutes)")
        }
        return Int(number)
    }

    private static func fail(_ field: String, _ message: String) -> ControlCommandError {
        ControlCommandError(reason: ControlCommandError.invalidKeysFile, field: field, message: message)
    }
}
