/// What differs between OpenAI-compatible servers, so the client asks each for what it can do instead of
/// assuming every server is OpenAI.
public struct ProviderPreset: Sendable, Equatable {
    /// How the server is asked for JSON that follows a schema.
    public enum StructuredOutput: String, Sendable, CaseIterable {
        /// `response_format: {type: json_schema, json_schema: {name, schema, strict: true}}` (OpenAI, xAI, vLLM, Ollama >= 0.5).
        case jsonSchema = "json_schema"
        /// `response_format: {type: json_object, schema: ...}` (llama.cpp server's grammar-constrained form).
        case jsonObjectWithSchema = "json_object_schema"
        /// `response_format: {type: json_object}` plus the schema in the system message.
        case jsonObject = "json_object"
        /// No response_format at all; the schema goes in the system message. Our validation still applies.
        case promptOnly = "prompt"
    }

    public var name: String
    public var structuredOutput: StructuredOutput
    /// Whether image parts may be sent. Off means a vision call fails fast with a clear error.
    public var supportsVision: Bool
    public var supportsEmbeddings: Bool
    /// OpenAI's newer models take `max_completion_tokens`; most others `max_tokens`.
    public var maxTokensField: String
    public var requiresAPIKey: Bool
    /// Used when no `WARDEN_LLM_MODEL` is given (only where a sensible default exists).
    public var defaultModels: [LLMTask: String]

    public static let openai = ProviderPreset(
        name: "openai", structuredOutput: .jsonSchema, supportsVision: true, supportsEmbeddings: true,
        maxTokensField: "max_completion_tokens", requiresAPIKey: true,
        defaultModels: [.automod: "gpt-4o-mini", .summary: "gpt-4o-mini", .vision: "gpt-4o-mini", .embeddings: "text-embedding-3-small"])
    /// xAI's API is OpenAI-shaped with structured outputs; it has no embeddings endpoint for general use.
    public static let xai = ProviderPreset(
        name: "xai", structuredOutput: .jsonSchema, supportsVision: true, supportsEmbeddings: false,
        maxTokensField: "max_tokens", requiresAPIKey: true, defaultModels: [:])
    /// Ollama's `/v1` compatibility layer; vision only with a vision model (llava, llama3.2-vision, ...).
    public static let ollama = ProviderPreset(
        name: "ollama", structuredOutput: .jsonSchema, supportsVision: true, supportsEmbeddings: true,
        maxTokensField: "max_tokens", requiresAPIKey: false, defaultModels: [:])
    /// vLLM's OpenAI server (guided decoding backs json_schema).
    public static let vllm = ProviderPreset(
        name: "vllm", structuredOutput: .jsonSchema, supportsVision: true, supportsEmbeddings: true,
        maxTokensField: "max_tokens", requiresAPIKey: false, defaultModels: [:])
    /// llama.cpp's `llama-server`: schema through `json_object` + `schema`; vision needs a model with an mmproj.
    public static let llamacpp = ProviderPreset(
        name: "llamacpp", structuredOutput: .jsonObjectWithSchema, supportsVision: false, supportsEmbeddings: true,
        maxTokensField: "max_tokens", requiresAPIKey: false, defaultModels: [:])
    /// Anything else that speaks the protocol: the OpenAI shape, no key required.
    public static let generic = ProviderPreset(
        name: "generic", structuredOutput: .jsonSchema, supportsVision: true, supportsEmbeddings: true,
        maxTokensField: "max_tokens", requiresAPIKey: false, defaultModels: [:])

    public static let all: [ProviderPreset] = [.openai, .xai, .ollama, .vllm, .llamacpp, .generic]

    public static func named(_ name: String) -> ProviderPreset? {
        let wanted = name.lowercased().replacingOccurrences(of: ".", with: "").replacingOccurrences(of: "-", with: "")
        return all.first { $0.name == wanted }
    }

    /// The preset a base URL most likely belongs to, when `WARDEN_LLM_PROVIDER` does not say.
    public static func inferred(fromBaseURL url: String) -> ProviderPreset {
        let lower = url.lowercased()
        if lower.contains("api.openai.com") { return .openai }
        if lower.contains("api.x.ai") { return .xai }
        if lower.contains(":11434") { return .ollama }
        return .generic
    }
}
