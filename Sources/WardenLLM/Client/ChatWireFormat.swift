import Foundation
import WardenCore

/// The OpenAI chat-completions and embeddings wire format: request bodies out, answers and errors in.
/// Pure functions, so every provider quirk is testable without a server.
enum ChatWireFormat {
    /// The request body for a chat call in the preset's dialect.
    static func body(_ request: ChatRequest, model: String, preset: ProviderPreset, maxTokens: Int) -> JSONValue {
        var messages = request.messages
        if let output = request.output, preset.structuredOutput == .jsonObject || preset.structuredOutput == .promptOnly {
            // No server-side schema: say it in the system message (our validation still decides).
            let note = "Answer with one JSON object and nothing else. It must match this JSON Schema:\n" + output.schema.encoded()
            if let first = messages.firstIndex(where: { $0.role == .system }) {
                messages[first].parts.append(.text("\n\n" + note))
            } else {
                messages.insert(.system(note), at: 0)
            }
        }
        var body: [String: JSONValue] = [
            "model": .string(model),
            "messages": .array(messages.map(encode)),
            "temperature": .number(request.temperature),
            preset.maxTokensField: .number(Double(maxTokens)),
            "stream": false,
        ]
        if let output = request.output {
            switch preset.structuredOutput {
            case .jsonSchema:
                body["response_format"] = ["type": "json_schema",
                                           "json_schema": ["name": .string(output.name), "schema": output.schema, "strict": true]]
            case .jsonObjectWithSchema:
                body["response_format"] = ["type": "json_object", "schema": output.schema]
            case .jsonObject:
                body["response_format"] = ["type": "json_object"]
            case .promptOnly:
                break
            }
        }
        return .object(body)
    }

    static func encode(_ message: ChatMessage) -> JSONValue {
        // A single text part goes as a plain string: the form every server accepts.
        if message.parts.count == 1, case .text(let text) = message.parts[0] {
            return ["role": .string(message.role.rawValue), "content": .string(text)]
        }
        let parts: [JSONValue] = message.parts.map { part in
            switch part {
            case .text(let text): return ["type": "text", "text": .string(text)]
            case .image(let bytes, let mediaType):
                return ["type": "image_url", "image_url": ["url": .string("data:\(mediaType);base64," + Data(bytes).base64EncodedString())]]
            }
        }
        return ["role": .string(message.role.rawValue), "content": .array(parts)]
    }

    /// What a successful (2xx) chat body says.
    struct Answer {
        var content: String?
        var refusal: String?
        var finishReason: String?
        var model: String?
        var usage: TokenUsage
    }

    static func answer(_ body: [UInt8]) -> Answer? {
        guard let json = try? JSONValue.parse(body), let choices = json["choices"]?.arrayValue, let first = choices.first,
              let message = first["message"] else { return nil }
        let usage = json["usage"].map {
            TokenUsage(promptTokens: count($0["prompt_tokens"]), completionTokens: count($0["completion_tokens"]),
                       totalTokens: count($0["total_tokens"]))
        } ?? TokenUsage()
        return Answer(content: message["content"]?.stringValue, refusal: message["refusal"]?.stringValue,
                      finishReason: first["finish_reason"]?.stringValue, model: json["model"]?.stringValue, usage: usage)
    }

    /// A token count from the provider: whole, non-negative and sane, else 0 (never a trap on 1e300).
    static func count(_ value: JSONValue?) -> Int {
        guard let n = value?.numberValue, n.isFinite, n >= 0, n < 1e12 else { return 0 }
        return Int(n)
    }

    /// The provider's error message and code from an error body: OpenAI's `{"error": {"message", "type",
    /// "code"}}`, or the `{"error": "text"}` some local servers send, or plain text.
    static func providerError(_ body: [UInt8]) -> (message: String?, code: String?) {
        if let json = try? JSONValue.parse(body) {
            if let error = json["error"] {
                if let text = error.stringValue { return (text, nil) }
                let code = error["code"]?.stringValue ?? error["type"]?.stringValue
                return (error["message"]?.stringValue, code)
            }
            if let message = json["message"]?.stringValue { return (message, nil) }
        }
        let text = String(decoding: body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return (text.isEmpty ? nil : text, nil)
    }

    /// The JSON in a model's content. Tolerates a Markdown code fence around it (some local models add one).
    static func jsonContent(_ content: String) -> JSONValue? {
        var text = content.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("```") {
            if let firstNewline = text.firstIndex(of: "\n") { text = String(text[text.index(after: firstNewline)...]) }
            if text.hasSuffix("```") { text = String(text.dropLast(3)) }
        }
        return try? JSONValue.parse(text)
    }

    static func embeddingsBody(_ inputs: [String], model: String) -> JSONValue {
        ["model": .string(model), "input": .array(inputs.map { .string($0) })]
    }

    /// Vectors in input order (the `index` field decides, not the array order).
    static func embeddings(_ body: [UInt8], expected: Int) -> [[Double]]? {
        guard let json = try? JSONValue.parse(body), let data = json["data"]?.arrayValue, data.count == expected else { return nil }
        var out = [[Double]](repeating: [], count: expected)
        for (position, item) in data.enumerated() {
            let index = item["index"]?.numberValue.flatMap { Int(exactly: $0) } ?? position
            guard out.indices.contains(index), let values = item["embedding"]?.arrayValue else { return nil }
            let vector = values.compactMap(\.numberValue)
            guard vector.count == values.count, !vector.isEmpty else { return nil }
            out[index] = vector
        }
        return out.contains { $0.isEmpty } ? nil : out
    }
}
