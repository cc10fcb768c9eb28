/// Reading and writing price catalogs.
///
/// Our own format, `cost.pricing.v1` (ops/pricing/catalog.json):
///
///     {"schema":"cost.pricing.v1","prices":[
///       {"provider":"openai","model":"gpt-4o","effective_from":"2024-08-06T00:00:00Z",
///        "input_per_mtok":"2.50","output_per_mtok":"10.00","cache_read_per_mtok":"1.25",
///        "cache_write_per_mtok":null,"reasoning_per_mtok":null}, …]}
///
/// Prices are USD per million tokens as decimal strings (at most 6 fractional digits);
/// a plain JSON number without exponent is accepted too. Optional components may be null
/// or absent. Unknown fields are ignored. The same (provider, model, effective_from) twice
/// is an error.
public enum PricingFile {
    public static let schema = "cost.pricing.v1"

    public static func parseCatalog(_ bytes: some Collection<UInt8>) throws(PricingFileError) -> [ModelPrice] {
        let root: JSONValue
        do {
            root = try JSONParser.parse(bytes)
        } catch {
            throw PricingFileError("pricing catalog is not valid JSON: \(error.description)")
        }
        guard root["schema"]?.stringValue == schema else {
            throw PricingFileError("pricing catalog must have \"schema\":\"\(schema)\"")
        }
        guard case .array(let items)? = root["prices"] else {
            throw PricingFileError("pricing catalog must have a \"prices\" array")
        }
        var prices: [ModelPrice] = []
        prices.reserveCapacity(items.count)
        var seen = Set<String>()
        for (index, item) in items.enumerated() {
            let price = try parseEntry(item, index: index)
            let identity = "\(price.provider)\u{0}\(price.model)\u{0}\(price.effectiveFrom.microsecondsSinceEpoch)"
            guard seen.insert(identity).inserted else {
                throw PricingFileError(
                    "prices[\(index)] (\(price.provider)/\(price.model)): a second entry with effective_from \(price.effectiveFrom.rfc3339Short)")
            }
            prices.append(price)
        }
        return prices
    }

    private static func parseEntry(_ item: JSONValue, index: Int) throws(PricingFileError) -> ModelPrice {
        guard case .object = item else {
            throw PricingFileError("prices[\(index)] must be an object")
        }
        var label = "prices[\(index)]"
        func text(_ field: String) throws(PricingFileError) -> String {
            guard let value = item[field]?.stringValue else {
                throw PricingFileError("\(label): field \(field) is required and must be a string")
            }
            return value
        }
        let provider = try text("provider")
        guard FieldText.isProviderName(provider) else {
            throw PricingFileError("\(label): field provider must match ^[a-z0-9][a-z0-9_-]{0,31}$")
        }
        let model = try text("model")
        guard !model.isEmpty, FieldText.scalarCount(model) <= 128, FieldText.isPrintable(model) else {
            throw PricingFileError("\(label): field model must be 1–128 printable characters")
        }
        label = "prices[\(index)] (\(provider)/\(model))"
        guard let effectiveFrom = Timestamp.parseRFC3339(try text("effective_from")) else {
            throw PricingFileError("\(label): field effective_from must be an RFC 3339 time like \"2024-08-06T00:00:00Z\"")
        }
        func price(_ field: String, required: Bool) throws(PricingFileError) -> TokenPrice? {
            let literal: String
            switch item[field] {
            case .string(let value)?: literal = value
            case .number(let value)?: literal = value
            case .null?, nil:
                if required { throw PricingFileError("\(label): field \(field) is required") }
                return nil
            default:
                throw PricingFileError("\(label): field \(field) must be a decimal string like \"2.50\" or null")
            }
            do {
                return try TokenPrice.perMillionUSD(literal)
            } catch {
                throw PricingFileError("\(label): field \(field): \(error.message)")
            }
        }
        return ModelPrice(
            provider: provider, model: model, effectiveFrom: effectiveFrom,
            input: try price("input_per_mtok", required: true)!,
            output: try price("output_per_mtok", required: true)!,
            cacheRead: try price("cache_read_per_mtok", required: false),
            cacheWrite: try price("cache_write_per_mtok", required: false),
            reasoning: try price("reasoning_per_mtok", required: false))
    }

    /// `cost.pricing.v1` JSON, one entry per line, sorted by provider, model and date, so
    /// that a diff of two catalogs reads well. `parseCatalog` reads it back unchanged.
    public static func encodeCatalog(_ prices: [ModelPrice]) -> [UInt8] {
        let sorted = prices.sorted {
            ($0.provider, $0.model, $0.effectiveFrom.microsecondsSinceEpoch)
                < ($1.provider, $1.model, $1.effectiveFrom.microsecondsSinceEpoch)
        }
        var bytes: [UInt8] = Array("{\n  \"schema\": \"\(schema)\",\n  \"prices\": [\n".utf8)
        for (index, price) in sorted.enumerated() {
            func component(_ value: TokenPrice?) -> JSONValue {
                value.map { .string($0.perMillionUSDString) } ?? .null
            }
            let entry = JSONValue.object([
                ("provider", .string(price.provider)),
                ("model", .string(price.model)),
                ("effective_from", .string(price.effectiveFrom.rfc3339Short)),
                ("input_per_mtok", component(price.input)),
                ("output_per_mtok", component(price.output)),
                ("cache_read_per_mtok", component(price.cacheRead)),
                ("cache_write_per_mtok", component(price.cacheWrite)),
                ("reasoning_per_mtok", component(price.reasoning)),
            ])
            bytes.append(contentsOf: "    ".utf8)
            entry.write(into: &bytes)
            bytes.append(contentsOf: (index + 1 < sorted.count ? ",\n" : "\n").utf8)
        }
        bytes.append(contentsOf: "  ]\n}\n".utf8)
        return bytes
    }
}
