/// Exact price per token in picodollars (1e-12 USD per token == 1e-6 USD per million tokens).
public struct TokenPrice: Hashable, Sendable, Comparable {
    public var picodollarsPerToken: Int64

    public init(picodollarsPerToken: Int64) {
        self.picodollarsPerToken = picodollarsPerToken
    }

    public static let zero = TokenPrice(picodollarsPerToken: 0)

    /// "2.50" USD per million tokens → 2_500_000 picodollars per token.
    /// At most 6 fractional digits, ≥ 0, no exponent; else MoneyError.
    public static func perMillionUSD(_ text: some StringProtocol) throws(MoneyError) -> TokenPrice {
        try perMillionUSD(utf8: text.utf8)
    }

    static func perMillionUSD(utf8: some Collection<UInt8>) throws(MoneyError) -> TokenPrice {
        switch DecimalText.parseScaled(utf8, scale: 6, allowNegative: false, what: "price per million tokens") {
        case .success(let value): return TokenPrice(picodollarsPerToken: value)
        case .failure(let error): throw error
        }
    }

    /// LiteLLM style per-token USD number text ("2.5e-06", "0.000003", "1.25E-7"), converted
    /// exactly. A price finer than 1 picodollar is rounded half-to-even and reported with
    /// `roundedFromFinerPrecision` = true.
    public static func perTokenUSD(
        _ text: some StringProtocol
    ) throws(MoneyError) -> (price: TokenPrice, roundedFromFinerPrecision: Bool) {
        try perTokenUSD(utf8: Array(text.utf8))
    }

    static func perTokenUSD(
        utf8 bytes: [UInt8]
    ) throws(MoneyError) -> (price: TokenPrice, roundedFromFinerPrecision: Bool) {
        guard let number = ScientificDecimal(bytes) else {
            throw MoneyError(
                "price per token must be a non-negative decimal number like \"2.5e-06\" or \"0.000003\" (got \"\(String(decoding: bytes.prefix(40), as: UTF8.self))\")")
        }
        // picodollars = significand × 10^(exponent + 12)
        guard let (value, rounded) = number.scaledToInteger(shift: 12) else {
            throw MoneyError("price per token is too large (got \"\(String(decoding: bytes.prefix(40), as: UTF8.self))\")")
        }
        return (TokenPrice(picodollarsPerToken: value), rounded)
    }

    /// "2.50", "0.075", "15.00": USD per million tokens, trailing zeros trimmed to at least 2 decimals.
    public var perMillionUSDString: String {
        var text = DecimalText.format(picodollarsPerToken, scale: 6)
        var trimmable = 4
        while trimmable > 0, text.hasSuffix("0") {
            text.removeLast()
            trimmable -= 1
        }
        return text
    }

    public static func < (lhs: TokenPrice, rhs: TokenPrice) -> Bool {
        lhs.picodollarsPerToken < rhs.picodollarsPerToken
    }
}
