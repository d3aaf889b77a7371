import WardenCore

/// One message of a chat: a role and its parts (text, or an image sent as a base64 data URL).
public struct ChatMessage: Sendable, Equatable {
    public enum Role: String, Sendable { case system, user, assistant }
    public enum Part: Sendable, Equatable {
        case text(String)
        case image(bytes: [UInt8], mediaType: String)
    }
    public var role: Role
    public var parts: [Part]

    public init(role: Role, parts: [Part]) { self.role = role; self.parts = parts }
    public static func system(_ text: String) -> ChatMessage { ChatMessage(role: .system, parts: [.text(text)]) }
    public static func user(_ text: String) -> ChatMessage { ChatMessage(role: .user, parts: [.text(text)]) }

    public var hasImage: Bool { parts.contains { if case .image = $0 { true } else { false } } }
}

/// The JSON schema an answer must follow: sent to the provider (strict) and checked again on our side.
public struct StructuredOutput: Sendable, Equatable {
    public var name: String
    public var schema: JSONValue
    public init(name: String, schema: JSONValue) { self.name = name; self.schema = schema }
}

/// A chat-completions call.
public struct ChatRequest: Sendable {
    public var task: LLMTask
    public var messages: [ChatMessage]
    public var output: StructuredOutput?
    public var temperature: Double
    /// Defaults to the configuration's `maxTokens`.
    public var maxTokens: Int?
    /// Overrides the configuration's call deadline (retries included) for this call.
    public var deadline: Duration?

    public init(task: LLMTask, messages: [ChatMessage], output: StructuredOutput? = nil, temperature: Double = 0,
                maxTokens: Int? = nil, deadline: Duration? = nil) {
        self.task = task; self.messages = messages; self.output = output; self.temperature = temperature
        self.maxTokens = maxTokens; self.deadline = deadline
    }
}

/// Tokens the provider reports for a call.
public struct TokenUsage: Sendable, Equatable, Codable {
    public var promptTokens: Int
    public var completionTokens: Int
    public var totalTokens: Int
    public init(promptTokens: Int = 0, completionTokens: Int = 0, totalTokens: Int = 0) {
        self.promptTokens = promptTokens; self.completionTokens = completionTokens; self.totalTokens = totalTokens
    }
    enum CodingKeys: String, CodingKey { case promptTokens = "prompt_tokens", completionTokens = "completion_tokens", totalTokens = "total_tokens" }
}

/// A model's answer.
public struct ChatResult: Sendable {
    /// `choices[0].message.content` as returned.
    public var content: String
    /// The parsed answer, validated against the schema, when the request had one.
    public var json: JSONValue?
    public var model: String?
    public var finishReason: String?
    public var usage: TokenUsage
    /// The provider's `x-request-id`, for support tickets with the provider.
    public var requestID: String?
    public var attempts: Int
    public var latency: Duration
}
