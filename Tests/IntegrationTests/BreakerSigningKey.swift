import BreakerKit
import CostCore
import Foundation

/// An admin's Ed25519 key pair for the tests, and its entry in a `cost.keys.v1` keys file.
/// The breaker worker under test only ever sees the public half.
struct BreakerSigningKey {
    let keyID: String
    let privateKey: String
    let publicKey: String
    var actions: [ControlAction] = ControlAction.allCases
    var codes: [OverrideCode] = OverrideCode.allCases

    /// A fresh key pair.
    init(keyID: String, actions: [ControlAction] = ControlAction.allCases, codes: [OverrideCode] = OverrideCode.allCases) {
        let pair = CommandSignature.generateKeyPair()
        self.init(keyID: keyID, privateKey: pair.privateKey, publicKey: pair.publicKey, actions: actions, codes: codes)
    }

    init(keyID: String, privateKey: String, publicKey: String, actions: [ControlAction] = ControlAction.allCases,
         codes: [OverrideCode] = OverrideCode.allCases) {
        self.keyID = keyID
        self.privateKey = privateKey
        self.publicKey = publicKey
        self.actions = actions
        self.codes = codes
    }

    /// The keys-file entry, as `costctl keys generate` prints it.
    var entry: JSONValue {
        .object([
            ("key_id", .string(keyID)), ("public_key", .string(publicKey)),
            ("actions", .array(actions.map { .string($0.rawValue) })),
            ("codes", .array(codes.map { .string($0.rawValue) })),
        ])
    }

    /// A keys file trusting `entries`.
    static func keysFile(_ entries: [JSONValue]) -> [UInt8] {
        Array(JSONValue.object([("schema", .string("cost.keys.v1")), ("keys", .array(entries))]).serialized().utf8)
    }

    /// A command issued now (or `issuedAt`) under this key, with a fresh command id.
    func command(_ action: ControlAction, scope: BreakerScope, code: OverrideCode? = nil, minutes: Int? = nil,
                 reason: String = "integration test", issuedAt: Timestamp? = nil) -> ControlCommand {
        ControlCommand(commandID: "it-cmd-\(IntegrationEnvironment.uniqueSuffix())",
                       issuedAt: issuedAt ?? Timestamp(millisecondsSinceEpoch: BreakerClock.nowMs()),
                       issuer: "it-admin", keyID: keyID, action: action, overrideCode: code, scope: scope,
                       durationMinutes: minutes, reason: reason)
    }

    /// The exact body bytes and their base64 signature by this key.
    func signed(_ command: ControlCommand) throws -> (body: [UInt8], signature: String) {
        let body = command.jsonBytes()
        guard let signature = CommandSignature.sign(body: body, privateKeyBase64: privateKey) else {
            throw HarnessFailure("could not sign with the test key \(keyID)")
        }
        return (body, signature)
    }
}
