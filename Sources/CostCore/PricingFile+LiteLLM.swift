extension PricingFile {
    /// Imports LiteLLM's `model_prices_and_context_window.json`: an object keyed by model name
    /// whose entries carry `litellm_provider`, `input_cost_per_token`, `output_cost_per_token`
    /// and optionally `cache_read_input_token_cost`, `cache_creation_input_token_cost`,
    /// `output_cost_per_reasoning_token` (USD per token, as JSON numbers or strings).
    ///
    /// Skipped, each with a reason: the `sample_spec` key, entries that are not objects, have
    /// no provider, lack either main cost, have a `mode` other than chat, completion or
    /// responses, have a negative or unreadable price, or map to a (provider, model) already
    /// imported. Per-token prices finer than 1 picodollar are rounded half-to-even and the
    /// model is listed in `rounded`. Every price gets `effectiveFrom`.
    public static func parseLiteLLM(
        _ bytes: some Collection<UInt8>, effectiveFrom: Timestamp
    ) throws(PricingFileError) -> (prices: [ModelPrice], skipped: [(model: String, reason: String)], rounded: [String]) {
        let root: JSONValue
        do {
            root = try JSONParser.parse(bytes)
        } catch {
            throw PricingFileError("LiteLLM price file is not valid JSON: \(error.description)")
        }
        guard case .object(let entries) = root else {
            throw PricingFileError("LiteLLM price file must be a JSON object keyed by model name")
        }
        var prices: [ModelPrice] = []
        var skipped: [(model: String, reason: String)] = []
        var rounded: [String] = []
        var seen = Set<String>()
        for (key, entry) in entries {
            if key == "sample_spec" {
                skipped.append((key, "documentation entry"))
                continue
            }
            switch importEntry(key: key, entry: entry, effectiveFrom: effectiveFrom) {
            case .failure(let reason):
                skipped.append((key, reason.message))
            case .success(let (price, wasRounded)):
                guard seen.insert("\(price.provider)/\(price.model)").inserted else {
                    skipped.append((key, "duplicate of \(price.provider)/\(price.model)"))
                    continue
                }
                prices.append(price)
                if wasRounded { rounded.append(key) }
            }
        }
        return (prices, skipped, rounded)
    }

    static let importedModes: Set<String> = ["chat", "completion", "responses"]

    private static func importEntry(
        key: String, entry: JSONValue, effectiveFrom: Timestamp
    ) -> Result<(ModelPrice, Bool), PricingFileError> {
        guard case .object = entry else { return .failure(PricingFileError("not an object")) }
        if let mode = entry["mode"], mode != .null {
            guard let text = mode.stringValue, importedModes.contains(text) else {
                return .failure(PricingFileError("mode \(FieldText.quoted(mode)) is not chat, completion or responses"))
            }
        }
        guard let rawProvider = entry["litellm_provider"]?.stringValue, !rawProvider.isEmpty else {
            return .failure(PricingFileError("no litellm_provider"))
        }
        let provider = providerName(litellm: rawProvider)
        guard FieldText.isProviderName(provider) else {
            return .failure(PricingFileError("provider \(FieldText.quoted(rawProvider)) does not map to a valid provider name"))
        }
        let model = modelName(key: key, litellmProvider: rawProvider, provider: provider)
        guard !model.isEmpty, FieldText.scalarCount(model) <= 128, FieldText.isPrintable(model) else {
            return .failure(PricingFileError("model name is not 1–128 printable characters"))
        }
        var anyRounded = false
        func price(_ field: String) -> Result<TokenPrice?, PricingFileError> {
            let literal: String
            switch entry[field] {
            case .number(let text)?: literal = text
            case .string(let text)?: literal = text
            case .null?, nil: return .success(nil)
            default: return .failure(PricingFileError("\(field) is not a number"))
            }
            do {
                let (value, wasRounded) = try TokenPrice.perTokenUSD(literal)
                anyRounded = anyRounded || wasRounded
                return .success(value)
            } catch {
                return .failure(PricingFileError("\(field): \(error.message)"))
            }
        }
        do throws(PricingFileError) {
            guard let input = try price("input_cost_per_token").get(),
                  let output = try price("output_cost_per_token").get()
            else {
                return .failure(PricingFileError("no input_cost_per_token and output_cost_per_token"))
            }
            let result = ModelPrice(
                provider: provider, model: model, effectiveFrom: effectiveFrom,
                input: input, output: output,
                cacheRead: try price("cache_read_input_token_cost").get(),
                cacheWrite: try price("cache_creation_input_token_cost").get(),
                reasoning: try price("output_cost_per_reasoning_token").get())
            return .success((result, anyRounded))
        } catch {
            return .failure(error)
        }
    }

    /// LiteLLM provider → ours: azure, anthropic, openai, deepseek as they are; gemini,
    /// vertex_ai and vertex_ai-language-models → google; mistral, codestral → mistral; others
    /// lowercased, characters outside [a-z0-9_-] replaced by '-', at most 32 characters.
    public static func providerName(litellm: String) -> String {
        switch litellm {
        case "gemini", "vertex_ai", "vertex_ai-language-models": return "google"
        case "mistral", "codestral": return "mistral"
        default:
            var bytes: [UInt8] = []
            for byte in litellm.lowercased().utf8 {
                if bytes.count == 32 { break }
                bytes.append(FieldText.isLowerOrDigit(byte) || byte == 0x5F || byte == 0x2D ? byte : 0x2D)
            }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// Strips a leading "<litellm provider>/" or "<our provider>/" from the key
    /// ("deepseek/deepseek-chat" → "deepseek-chat", "gemini/gemini-2.0-flash" → "gemini-2.0-flash").
    static func modelName(key: String, litellmProvider: String, provider: String) -> String {
        for prefix in [litellmProvider + "/", provider + "/"] where key.hasPrefix(prefix) && key.utf8.count > prefix.utf8.count {
            return String(key.dropFirst(prefix.count))
        }
        return key
    }
}
