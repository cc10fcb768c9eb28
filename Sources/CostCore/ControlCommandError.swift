/// A `cost.control.v1` command or a keys file was refused before any authorization.
///
/// `reason` is the machine-readable code for the audit log: `invalid_command` (any broken
/// field rule), `missing_override_code` (an override without `override_code`) or
/// `invalid_keys_file`. `field` names the field (`$` for the whole body). `message` says
/// what was wrong; it quotes untrusted input shortened and escaped, never a secret.
public struct ControlCommandError: Error, Equatable, Sendable, CustomStringConvertible {
    public let reason: String
    public let field: String
    public let message: String

    public init(reason: String = ControlCommandError.invalidCommand, field: String, message: String) {
        self.reason = reason
        self.field = field
        self.message = message
    }

    public static let invalidCommand = "invalid_command"
    public static let missingOverrideCode = "missing_override_code"
    public static let invalidKeysFile = "invalid_keys_file"

    public var description: String { "\(reason) (\(field)): \(message)" }
}
