import Crypto
import Foundation

/// Ed25519 over the exact body bytes of a `cost.control.v1` command. The signature travels,
/// base64-encoded, in the AMQP header `x-cost-signature`. Breaker workers hold public keys
/// only; `costctl keys generate` makes a key pair and `costctl override|trip|reset` signs.
public enum CommandSignature {
    public static let header = "x-cost-signature"

    /// True when `signatureBase64` is a valid Ed25519 signature of `body` by `publicKeyBase64`.
    public static func verify(body: [UInt8], signatureBase64: String, publicKeyBase64: String) -> Bool {
        guard let keyData = Data(base64Encoded: publicKeyBase64), keyData.count == 32,
              let signature = Data(base64Encoded: signatureBase64), signature.count == 64,
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: keyData) else { return false }
        return key.isValidSignature(signature, for: Data(body))
    }

    /// Signs with a base64 private key (32 bytes); nil when the key is unreadable.
    public static func sign(body: [UInt8], privateKeyBase64: String) -> String? {
        guard let keyData = Data(base64Encoded: privateKeyBase64.trimmingCharacters(in: .whitespacesAndNewlines)),
              let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: keyData),
              let signature = try? key.signature(for: Data(body)) else { return nil }
        return signature.base64EncodedString()
    }

    /// A fresh key pair: (private, public), both base64.
    public static func generateKeyPair() -> (privateKey: String, publicKey: String) {
        let key = Curve25519.Signing.PrivateKey()
        return (key.rawRepresentation.base64EncodedString(), key.publicKey.rawRepresentation.base64EncodedString())
    }
}
