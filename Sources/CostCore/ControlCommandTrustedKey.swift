import Foundation

/// One admin's public key and what it may do. A breaker worker holds only public keys.
public struct TrustedKey: Sendable, Equatable {
    public var keyID: String
    /// Standard base64 (with padding) of the 32-byte raw Ed25519 public key.
    public var publicKeyBase64: String
    public var allowedActions: Set<ControlAction>
    /// Override codes this key may issue overrides under.
    public var allowedCodes: Set<OverrideCode>
    /// Per-code limits for this key, below the code's own maximum (absent: the code's maximum).
    public var maxDurationMinutes: [OverrideCode: Int]

    public init(
        keyID: String, publicKeyBase64: String, allowedActions: Set<ControlAction>,
        allowedCodes: Set<OverrideCode> = [], maxDurationMinutes: [OverrideCode: Int] = [:]
    ) {
        self.keyID = keyID
        self.publicKeyBase64 = publicKeyBase64
        self.allowedActions = allowedActions
        self.allowedCodes = allowedCodes
        self.maxDurationMinutes = maxDurationMinutes
    }

    /// The raw 32-byte key (for `Curve25519.Signing.PublicKey(rawRepresentation:)`), or nil
    /// when `publicKeyBase64` is not base64 of exactly 32 bytes.
    public var publicKeyBytes: [UInt8]? {
        guard let data = Data(base64Encoded: publicKeyBase64), data.count == 32 else { return nil }
        return [UInt8](data)
    }
}
