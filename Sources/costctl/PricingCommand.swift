import ArgumentParser
import CostCore
import CostStore
import Foundation

struct PricingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pricing", abstract: "Import and list model prices (kept with their history).",
        subcommands: [Import.self, List.self])

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import prices from our catalog format or LiteLLM's model_prices_and_context_window.json.",
            discussion: """
                Prices are keyed by (provider, model, effective_from): importing the same file twice changes nothing, \
                and a new effective date adds history instead of overwriting it. Running workers pick the change up \
                within 30 s.
                  costctl pricing import ops/pricing/catalog.json
                  costctl pricing import --format litellm --effective-from 2026-11-01T00:00:00Z model_prices_and_context_window.json
                """)

        @Argument(help: "The file to import.")
        var file: String

        @Option(help: "catalog (cost.pricing.v1, the default) or litellm.")
        var format: String = "catalog"

        @Option(name: .customLong("effective-from"), help: "For litellm files: when these prices start to apply (RFC 3339; default: now).")
        var effectiveFrom: String?

        func run() throws {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ValidationError("cannot read \(file): check the path")
            }
            let bytes = [UInt8](data)
            let prices: [ModelPrice]
            switch format {
            case "catalog":
                prices = try PricingFile.parseCatalog(bytes)
            case "litellm":
                let since: Timestamp
                if let text = effectiveFrom {
                    guard let t = Timestamp.parseRFC3339(text) else {
                        throw ValidationError("--effective-from '\(text)' is not RFC 3339, e.g. 2026-11-01T00:00:00Z")
                    }
                    since = t
                } else {
                    since = Timestamp(secondsSinceEpoch: Int64(Date().timeIntervalSince1970))
                }
                let parsed = try PricingFile.parseLiteLLM(bytes, effectiveFrom: since)
                for s in parsed.skipped.prefix(20) { progress("skipped \(s.model): \(s.reason)") }
                if parsed.skipped.count > 20 { progress("… and \(parsed.skipped.count - 20) more skipped") }
                for r in parsed.rounded { progress("rounded to the picodollar: \(r)") }
                prices = parsed.prices
            default:
                throw ValidationError("unknown format '\(format)': use catalog or litellm")
            }
            let db = try CLIEnvironment.postgres()
            defer { db.close() }
            try Migrator.requireCurrent(db)
            let result = try PricingStore(db: db).upsert(prices, source: format)
            print("imported \(prices.count) prices from \(file): \(result.inserted) new, \(result.updated) already known")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the prices in force now (USD per million tokens).")

        @Option(help: "Only this provider.")
        var provider: String?

        func run() throws {
            let db = try CLIEnvironment.postgres()
            defer { db.close() }
            let rows = try PricingStore(db: db).current(provider: provider)
            if rows.isEmpty {
                print("no prices yet: run `costctl pricing import ops/pricing/catalog.json`")
                return
            }
            let header = ["provider", "model", "since", "input", "output", "cache read", "cache write", "reasoning"]
            printTable(header, rows.map { r in (0..<8).map { r[$0] ?? "-" } })
        }
    }
}

/// Prints rows as aligned columns.
func printTable(_ header: [String], _ rows: [[String]]) {
    var widths = header.map(\.count)
    for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { i, c in c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
            .joined(separator: "  ")
    }
    print(line(header))
    for row in rows { print(line(row)) }
}
