/// Collects violations while checking the fields of one usage event, in the order checked.
struct UsageFieldChecker {
    var violations: [Violation] = []

    mutating func fail(_ field: String, _ rule: String, _ message: String) {
        violations.append(Violation(field: field, rule: rule, message: message))
    }

    /// A string field: `required` when missing; `type` when not a JSON string (null included).
    mutating func string(_ field: String, _ value: JSONValue?, required: Bool) -> String? {
        guard let value else {
            if required { fail(field, Violation.Rule.required, "\(field) is required") }
            return nil
        }
        guard case .string(let text) = value else {
            fail(field, Violation.Rule.type,
                 "\(field) must be a JSON string, got \(value.typeName)\(required ? "" : " (omit the field instead of sending null)")")
            return nil
        }
        return text
    }

    /// Returns false (after recording a `length` violation) when outside 1...max scalars,
    /// or 0...max when `allowEmpty`.
    @discardableResult
    mutating func limitLength(_ field: String, _ text: String, max: Int, allowEmpty: Bool = true) -> Bool {
        let count = FieldText.scalarCount(text)
        if count > max || (!allowEmpty && count == 0) {
            fail(field, Violation.Rule.length,
                 "\(field) must be \(allowEmpty ? 0 : 1)–\(max) characters long (got \(count))")
            return false
        }
        return true
    }

    mutating func rejectNUL(_ field: String, _ text: String) {
        if FieldText.containsNUL(text) {
            fail(field, Violation.Rule.printable, "\(field) must not contain U+0000 (NUL)")
        }
    }

    /// 1–128 characters out of `allowed`.
    mutating func identifier(
        _ field: String, _ value: JSONValue?, allowed: String, _ isAllowed: (String) -> Bool
    ) -> String? {
        guard let text = string(field, value, required: true) else { return nil }
        guard limitLength(field, text, max: UsageEventDecoder.maxIdentifierLength, allowEmpty: false) else { return nil }
        guard isAllowed(text) else {
            fail(field, Violation.Rule.pattern,
                 "\(field) may only contain \(allowed) (got \(FieldText.quoted(text)))")
            return nil
        }
        return text
    }

    /// 1–128 printable characters (no Unicode control characters).
    mutating func printable(_ field: String, _ value: JSONValue?, required: Bool) -> String? {
        guard let text = string(field, value, required: required) else { return nil }
        guard limitLength(field, text, max: UsageEventDecoder.maxIdentifierLength, allowEmpty: false) else { return nil }
        guard FieldText.isPrintable(text) else {
            fail(field, Violation.Rule.printable,
                 "\(field) must not contain control characters such as newlines or tabs (got \(FieldText.quoted(text)))")
            return nil
        }
        return text
    }

    /// A JSON integer (no fraction, no exponent) in 0...max.
    mutating func integer(_ field: String, _ value: JSONValue?, required: Bool, max: Int64) -> Int64? {
        guard let value else {
            if required { fail(field, Violation.Rule.required, "\(field) is required") }
            return nil
        }
        guard case .number(let text) = value,
              FieldText.allBytes(text, { $0 != UInt8(ascii: ".") && $0 != UInt8(ascii: "e") && $0 != UInt8(ascii: "E") })
        else {
            let got = value.numberText.map { "number \($0)" } ?? value.typeName
            fail(field, Violation.Rule.type, "\(field) must be a JSON integer such as 1200, got \(got)")
            return nil
        }
        guard let number = Int64(text), number >= 0, number <= max else {
            fail(field, Violation.Rule.range, "\(field) must be an integer from 0 to \(max) (got \(FieldText.quoted(value)))")
            return nil
        }
        return number
    }

    mutating func timestamp(_ field: String, _ value: JSONValue?, now: Timestamp) -> Timestamp? {
        guard let text = string(field, value, required: true) else { return nil }
        guard let time = Timestamp.parseRFC3339(text) else {
            fail(field, Violation.Rule.format,
                 "\(field) must be an RFC 3339 time with an offset, like \"2026-11-27T05:00:00.123Z\" (got \(FieldText.quoted(text)))")
            return nil
        }
        let latest = now.adding(seconds: UsageEventDecoder.maxFutureSkewSeconds)
        guard time <= latest else {
            fail(field, Violation.Rule.future,
                 "\(field) \(time.rfc3339) is more than 5 minutes after the receiver's clock (\(now.rfc3339)); check the agent's clock")
            return nil
        }
        return time
    }

    mutating func cost(_ field: String, _ value: JSONValue?) -> Nanodollars? {
        guard let text = string(field, value, required: false) else { return nil }
        do {
            return try Nanodollars.parseUSD(text)
        } catch {
            if (try? Nanodollars.parseUSD(text, allowNegative: true)) != nil {
                fail(field, Violation.Rule.range, "\(field) must not be negative (got \(FieldText.quoted(text)))")
            } else {
                fail(field, Violation.Rule.format,
                     "\(field) must be a decimal string with at most 9 fractional digits, like \"0.001250\" (\(error.message))")
            }
            return nil
        }
    }

    mutating func status(_ field: String, _ value: JSONValue?) -> UsageStatus? {
        guard let text = string(field, value, required: false) else { return nil }
        guard let status = UsageStatus(rawValue: text) else {
            let allowed = UsageStatus.allCases.map(\.rawValue).joined(separator: ", ")
            fail(field, Violation.Rule.enumeration, "\(field) must be one of \(allowed) (got \(FieldText.quoted(text)))")
            return nil
        }
        return status
    }

    /// ≤ 16 entries; key `^[a-z0-9_.-]{1,64}$`; value a string ≤ 256 characters.
    mutating func tags(_ field: String, _ value: JSONValue?) -> [String: String]? {
        guard let value else { return nil }
        guard case .object(let members) = value else {
            fail(field, Violation.Rule.type, "\(field) must be a JSON object of string values, got \(value.typeName)")
            return nil
        }
        if members.count > UsageEventDecoder.maxTags {
            fail(field, Violation.Rule.tooMany,
                 "\(field) may have at most \(UsageEventDecoder.maxTags) entries (got \(members.count))")
        }
        var result = [String: String](minimumCapacity: members.count)
        for (key, tagValue) in members {
            guard FieldText.isTagKey(key) else {
                fail(field, Violation.Rule.pattern,
                     "tag keys must match ^[a-z0-9_.-]{1,64}$ (got \(FieldText.quoted(key)))")
                continue
            }
            guard case .string(let text) = tagValue else {
                fail("\(field).\(key)", Violation.Rule.type, "\(field).\(key) must be a JSON string, got \(tagValue.typeName)")
                continue
            }
            // The value's field name ("tags.<key>") is built only for a violation.
            if FieldText.scalarCount(text) > UsageEventDecoder.maxTagValueLength || FieldText.containsNUL(text) {
                let tagField = "\(field).\(key)"
                if limitLength(tagField, text, max: UsageEventDecoder.maxTagValueLength) {
                    rejectNUL(tagField, text)
                }
            }
            result[key] = text
        }
        return result
    }
}
