import CostCore
import Testing

@Suite("Money: nanodollars and token prices")
struct MoneyTests {
    @Test("USD text parses exactly to nanodollars", arguments: [
        ("0.001250", Int64(1_250_000)), ("12", 12_000_000_000), ("3.5", 3_500_000_000),
        ("0", 0), ("0.000000001", 1), ("9223372036.854775807", Int64.max),
    ])
    func parseUSD(_ text: String, _ expected: Int64) throws {
        #expect(try Nanodollars.parseUSD(text) == Nanodollars(expected))
    }

    @Test("malformed USD text is rejected with a message", arguments: [
        "", "-1", "+1", "1e-3", " 1", "1 ", "1.", ".5", "0.0000000001", "1,5", "007", "9223372036.854775808", "abc",
    ])
    func parseUSDRejects(_ text: String) {
        #expect(throws: MoneyError.self) { try Nanodollars.parseUSD(text) }
        do {
            _ = try Nanodollars.parseUSD(text)
        } catch {
            #expect(!error.message.isEmpty)
        }
    }

    @Test("negative amounts only when allowed")
    func negative() throws {
        #expect(try Nanodollars.parseUSD("-1.5", allowNegative: true) == Nanodollars(-1_500_000_000))
        #expect(throws: MoneyError.self) { try Nanodollars.parseUSD("-1.5") }
    }

    @Test("formatting has 9 fixed fractional digits")
    func format() {
        #expect(Nanodollars(1_250_000).decimalString == "0.001250000")
        #expect(Nanodollars(-1_000_000_000).decimalString == "-1.000000000")
        #expect(Nanodollars(1_250_000).description == "$0.001250000")
        #expect(Nanodollars(-5).description == "-$0.000000005")
        #expect(Nanodollars(Int64.min).decimalString == "-9223372036.854775808")
        #expect(Nanodollars.zero.decimalString == "0.000000000")
    }

    @Test("arithmetic never traps: + saturates, adding throws")
    func overflow() throws {
        let big = Nanodollars(Int64.max - 1)
        #expect(big + Nanodollars(10) == Nanodollars(Int64.max))
        #expect(Nanodollars(Int64.min + 1) - Nanodollars(10) == Nanodollars(Int64.min))
        #expect(throws: MoneyError.self) { try big.adding(Nanodollars(10)) }
        #expect(throws: MoneyError.self) { try Nanodollars(Int64.min).subtracting(Nanodollars(1)) }
        #expect(try Nanodollars(5).adding(Nanodollars(7)) == Nanodollars(12))
        #expect(Nanodollars(5) - Nanodollars(7) == Nanodollars(-2))
    }

    @Test("per-million prices parse to picodollars per token and print back")
    func perMillion() throws {
        #expect(try TokenPrice.perMillionUSD("2.50").picodollarsPerToken == 2_500_000)
        #expect(try TokenPrice.perMillionUSD("0.075").picodollarsPerToken == 75_000)
        #expect(try TokenPrice.perMillionUSD("0.000001").picodollarsPerToken == 1)
        #expect(throws: MoneyError.self) { try TokenPrice.perMillionUSD("0.0000001") }
        #expect(throws: MoneyError.self) { try TokenPrice.perMillionUSD("-1") }
        #expect(TokenPrice(picodollarsPerToken: 2_500_000).perMillionUSDString == "2.50")
        #expect(TokenPrice(picodollarsPerToken: 10_000_000).perMillionUSDString == "10.00")
        #expect(TokenPrice(picodollarsPerToken: 312_500).perMillionUSDString == "0.3125")
        #expect(TokenPrice(picodollarsPerToken: 1).perMillionUSDString == "0.000001")
    }

    @Test("LiteLLM per-token text converts exactly", arguments: [
        ("2.5e-06", Int64(2_500_000), false), ("0.000003", 3_000_000, false), ("1.25E-7", 125_000, false),
        ("3e-06", 3_000_000, false), ("0", 0, false), ("1.5e-05", 15_000_000, false),
        ("0.00000000000049", 0, true), ("1.5e-12", 2, true), ("2.5e-12", 2, true), ("2.51e-12", 3, true),
        ("3.75e-07", 375_000, false), ("1E+0", 1_000_000_000_000, false),
        ("0.00000030000000000000001", 300_000, true),
    ])
    func perToken(_ text: String, _ picodollars: Int64, _ rounded: Bool) throws {
        let (price, wasRounded) = try TokenPrice.perTokenUSD(text)
        #expect(price.picodollarsPerToken == picodollars)
        #expect(wasRounded == rounded)
    }

    @Test("bad per-token text is rejected", arguments: ["-1e-6", "abc", "1e", ".5", "1.e-6", "1e-6 ", "1e30"])
    func perTokenRejects(_ text: String) {
        #expect(throws: MoneyError.self) { try TokenPrice.perTokenUSD(text) }
    }
}
