extension ControlCommand {
    static let knownFields: Set<String> = [
        "schema", "command_id", "issued_at", "issuer", "key_id", "action", "override_code", "scope",
        "duration_minutes", "reason",
    ]

    /// Strict decoding of a `cost.control.v1` body (rules in `ControlCommand`'s documentation).
    /// Throws the first broken rule, in field order.
    public static func decode(_ body: some Collection<UInt8>) throws(ControlCommandError) -> ControlCommand {
        let size = body.count
        guard size <= maxBodyBytes else {
            throw fail("$", "command is \(size) bytes; at most \(maxBodyBytes) (4 KiB) are allowed")
        }
        let root: JSONValue
        do {
            root = try JSONParser.parse(body, maxDepth: 4)
        } catch {
            throw fail("$", "command is not valid UTF-8 JSON: \(error.description)")
        }
        guard case .object(let members) = root else {
            throw fail("$", "command must be a JSON object, got \(root.typeName)")
        }
        for (name, _) in members where !knownFields.contains(name) {
            throw fail(name, "unknown field \(FieldText.quoted(name)) in a \(schema) command")
        }
        let schemaText = try string(root, "schema")
        guard schemaText == schema else {
            throw fail("schema", "schema must be exactly \"\(schema)\" (got \(FieldText.quoted(schemaText)))")
        }
        let commandID = try string(root, "command_id")
        let issuedText = try string(root, "issued_at")
        guard let issuedAt = Timestamp.parseRFC3339(issuedText) else {
            throw fail("issued_at", "issued_at must be RFC 3339 with an offset such as \"2026-11-27T05:00:00Z\" (got \(FieldText.quoted(issuedText)))")
        }
        let issuer = try string(root, "issuer")
        let keyID = try string(root, "key_id")
        let actionText = try string(root, "action")
        guard let action = ControlAction(rawValue: actionText) else {
            throw fail("action", "action must be override, trip or reset (got \(FieldText.quoted(actionText)))")
        }
        var overrideCode: OverrideCode?
        if root["override_code"] != nil {
            let codeText = try string(root, "override_code")
            guard let code = OverrideCode(rawValue: codeText) else {
                throw fail("override_code", "override_code must be EMERGENCY_OVERRIDE, BUDGET_OVERRIDE or ADMIN_OVERRIDE (got \(FieldText.quoted(codeText)))")
            }
            overrideCode = code
        }
        let scopeText = try string(root, "scope")
        let scope: BreakerScope
        do {
            scope = try BreakerScope(parsing: scopeText)
        } catch {
            throw fail("scope", error.message)
        }
        var duration: Int?
        if let value = root["duration_minutes"] {
            guard let number = value.integerValue else {
                throw fail("duration_minutes", "duration_minutes must be a JSON integer (got \(FieldText.quoted(value)))")
            }
            guard number >= 1, number <= Int64(maxDurationMinutes) else {
                throw fail("duration_minutes", "duration_minutes must be 1…\(maxDurationMinutes) (got \(number))")
            }
            duration = Int(number)
        }
        let command = ControlCommand(
            commandID: commandID, issuedAt: issuedAt, issuer: issuer, keyID: keyID, action: action,
            overrideCode: overrideCode, scope: scope, durationMinutes: duration, reason: try string(root, "reason"))
        try command.validate()
        return command
    }

    /// Checks the field rules on a command however it was built (decoding calls it too).
    public func validate() throws(ControlCommandError) {
        let idLength = commandID.utf8.count
        guard idLength >= 1, idLength <= 128, FieldText.isEventIDText(commandID) else {
            throw Self.fail("command_id", "command_id must be 1–128 of [A-Za-z0-9._:-] (got \(FieldText.quoted(commandID)))")
        }
        try Self.printable("issuer", issuer, max: 64)
        try Self.printable("key_id", keyID, max: 64)
        if BreakerScope.validated(scope) == nil {
            throw Self.fail("scope", "scope \(FieldText.quoted(scope.text)) breaks the scope rules")
        }
        if let durationMinutes, durationMinutes < 1 || durationMinutes > Self.maxDurationMinutes {
            throw Self.fail("duration_minutes", "duration_minutes must be 1…\(Self.maxDurationMinutes) (got \(durationMinutes))")
        }
        try Self.printable("reason", reason, max: 512)
        switch action {
        case .override:
            guard overrideCode != nil else {
                throw ControlCommandError(reason: ControlCommandError.missingOverrideCode, field: "override_code",
                                          message: "an override needs override_code (EMERGENCY_OVERRIDE, BUDGET_OVERRIDE or ADMIN_OVERRIDE)")
            }
            guard durationMinutes != nil else {
                throw Self.fail("duration_minutes", "an override needs duration_minutes (1…\(Self.maxDurationMinutes))")
            }
        case .trip, .reset:
            if overrideCode != nil {
                throw Self.fail("override_code", "override_code is only for action override (a \(action.rawValue) takes none)")
            }
            if action == .reset, durationMinutes != nil {
                throw Self.fail("duration_minutes", "a reset takes no duration_minutes")
            }
        }
    }

    private static func string(_ root: JSONValue, _ field: String) throws(ControlCommandError) -> String {
        guard let value = root[field] else { throw fail(field, "\(field) is required") }
        guard let text = value.stringValue else {
            throw fail(field, "\(field) must be a string, got \(value.typeName)")
        }
        return text
    }

    private static func printable(_ field: String, _ text: String, max: Int) throws(ControlCommandError) {
        let length = FieldText.scalarCount(text)
        guard length >= 1, length <= max, FieldText.isPrintable(text) else {
            throw fail(field, "\(field) must be 1–\(max) printable characters (got \(FieldText.quoted(text)))")
        }
    }

    static func fail(_ field: String, _ message: String) -> ControlCommandError {
        ControlCommandError(field: field, message: message)
    }
}
