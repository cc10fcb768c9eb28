/// One (provider, model) an agent used recently: how often, when last, and what a call costs.
/// Keys are 64-bit FNV-1a hashes, so the state never stores model names.
public struct RiskModelEntry: Sendable, Equatable {
    /// Hash of provider + NUL + model.
    var key: UInt64
    /// Hash of the provider alone.
    var provider: UInt64
    /// Calls learned (quarantined calls count less), capped.
    var weight: Double
    /// Minute of the newest call.
    var lastMinute: Int64
    /// ln(nanodollars) per call with this model.
    var cost: RiskRunningStat
    /// ln(nanodollars per 1000 tokens) with this model: its norm, cache use included.
    var costPerToken = RiskRunningStat()
    /// Minute of the first call, and calls seen (quarantined or not).
    var firstMinute: Int64 = .min
    var calls: Int64 = 0
    /// Clock hours in which this model was used alongside an established model (counted at
    /// its first call of the hour): a model used in the agent's ordinary mix, not in a block.
    var mixedHours: Int32 = 0

    /// Part of the agent's normal: used in normal traffic for a while (`weight` ≥ 10); or first
    /// used while the agent was new (before `settledFrom`, the minute its first hour was
    /// recorded) for at least a fiftieth of what its models were taught (`totalWeight`, the
    /// sum of their weights; at least half a call's worth); or first seen at least
    /// `RiskConfig.modelEstablishMinutes` ago and used alongside established models in at least
    /// 4 clock hours since.
    /// So the models a new agent uses are its own (a busy agent's second model, whose calls
    /// teach a little each, too), and a legitimate secondary model whose calls are often flagged
    /// still becomes normal, while a switch to a new model stays suspect for hours and a model
    /// used only in blocks of attack calls (which replace the agent's usual models and teach
    /// little) never does.
    func isEstablished(at minute: Int64, totalWeight: Double, settledFrom: Int64, config: RiskConfig) -> Bool {
        weight >= 10
            || (firstMinute < settledFrom && weight >= 0.5 && weight >= 0.02 * totalWeight)
            || (mixedHours >= 4 && calls >= 5 && firstMinute != .min
                && minute - firstMinute >= config.modelEstablishMinutes)
    }

    /// FNV-1a over the UTF-8 bytes, read from contiguous storage (`withUTF8`): iterating
    /// `text.utf8` costs a branch or two per byte.
    static func hash(_ text: String, seed: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 {
        var value = seed
        var text = text
        text.withUTF8 { bytes in
            for byte in bytes {
                value ^= UInt64(byte)
                value = value &* 0x0000_0100_0000_01b3
            }
        }
        return value
    }

    static func keys(provider: String, model: String) -> (key: UInt64, provider: UInt64) {
        let providerHash = hash(provider)
        return (hash(model, seed: (providerHash ^ 0) &* 0x0000_0100_0000_01b3), providerHash)
    }
}
