import WardenLLM
import WardenCore

/// Asks the model to score one message through `prompts/automod`, and re-checks the answer.
public struct AutomodAnalyzer: Sendable {
    public let client: LLMClient
    public let template: PromptTemplate

    public init(client: LLMClient, template: PromptTemplate) { self.client = client; self.template = template }

    /// The analysis of `message`. Only the message's own fields go to the model, as JSON data.
    public func analyze(_ message: DiscordMessage, deadline: Duration? = nil) async throws(LLMError) -> AIAnalysis {
        let request = ChatRequest(task: .automod, messages: template.render(data: Self.data(for: message)),
                                  output: template.output, temperature: 0, deadline: deadline)
        let result = try await client.chat(request)
        guard let json = result.json else {
            throw LLMError(.schemaViolation, "no JSON answer", requestID: result.requestID, attempts: result.attempts)
        }
        var analysis: AIAnalysis
        do {
            analysis = try AIAnalysis.parse(answer: json, promptHash: template.hash)
        } catch {
            throw LLMError(.schemaViolation, "the automod answer failed our checks: \(error)", requestID: result.requestID, attempts: result.attempts)
        }
        analysis.model = result.model ?? client.configuration.model(for: .automod)
        analysis.requestID = result.requestID
        analysis.promptTokens = result.usage.promptTokens
        analysis.completionTokens = result.usage.completionTokens
        analysis.latencyMillis = Double(result.latency.components.seconds) * 1000 + Double(result.latency.components.attoseconds) / 1e15
        analysis.attempts = result.attempts
        return analysis
    }

    /// What the model sees of a message: its text and a few facts, never our instructions.
    static func data(for message: DiscordMessage) -> JSONValue {
        var object: [String: JSONValue] = [
            "content": .string(message.content),
            "author": .string(message.author.username ?? "member"),
            "mentions": .number(Double(message.mentions.count)),
        ]
        let files = message.attachments.compactMap(\.filename)
        if !files.isEmpty { object["attachments"] = .array(files.map { .string($0) }) }
        return .object(object)
    }
}
