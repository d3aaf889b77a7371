import Foundation

extension FakeLLMServer {
    /// The deterministic automod "model".
    ///
    /// Reads the last `user` message (string content, or the text parts of an array), lower-cased; every
    /// score starts at 0.02 and trigger phrases raise one or two of them (see ``AutomodModel``). Markers in
    /// the text steer the answer: `[[slow:N]]` delays it N ms, `[[hold:N]]` holds it until the test calls
    /// ``FakeLLMServer/releaseHeld()`` (or N ms pass), `[[fail:500]]` answers a 500 and
    /// `[[fail:429]]` a 429 with `retry-after: 1`. The answer is `.chat(content:)` whose content is exactly
    /// `{"scores":{...10 categories...},"primary_category":"...","manipulation_attempt":bool,"rationale":"..."}`;
    /// the primary category is the top one when it scores 0.5 or more, else "none" (as prompts/automod asks).
    public static let automodModel: @Sendable (RecordedRequest) -> FakeLLMBehaviour = { request in
        AutomodModel.respond(to: request)
    }

    /// The default fallback: the automod model for chat completions, trigram embeddings for embeddings,
    /// a 404 in OpenAI's error shape otherwise.
    static let defaultResponder: @Sendable (RecordedRequest) -> FakeLLMBehaviour = { request in
        switch (request.method, request.route) {
        case ("POST", "/v1/chat/completions"):
            return AutomodModel.respond(to: request)
        case ("POST", "/v1/embeddings"):
            return TrigramEmbeddings.respond(to: request)
        default:
            return .status(404, body: OpenAIShapes.error(message: "Unknown request URL: \(request.method) \(request.path)",
                                                         type: "invalid_request_error", code: "unknown_url"))
        }
    }
}

enum AutomodModel {
    /// In the order the JSON answer lists them.
    static let categories = ["harassment", "hate", "sexual", "sexual/minors", "self-harm", "violence", "illicit",
                             "scam/phishing", "doxxing/pii", "spam"]
    static let baseline = 0.02

    /// (phrases, category, score): any phrase raises the category to at least the score.
    static let triggers: [([String], String, Double)] = [
        (["kill yourself", "kys"], "harassment", 0.96),
        (["i want to die", "end it all", "hurt myself"], "self-harm", 0.93),
        (["seed phrase", "verify your wallet", "free nitro"], "scam/phishing", 0.94),
        (["home address is", "lives at"], "doxxing/pii", 0.9),
        (["buy followers"], "spam", 0.95),
        (["i will find you and hurt you"], "violence", 0.92),
        (["i will find you and hurt you"], "harassment", 0.9),
    ]
    static let manipulationPhrases = ["ignore your instructions", "ignore previous instructions", "ignore all previous"]

    static func respond(to request: RecordedRequest) -> FakeLLMBehaviour {
        guard let object = request.jsonObject, object["messages"] is [Any] else {
            return .status(400, body: OpenAIShapes.error(message: "'messages' is a required property", type: "invalid_request_error", code: nil))
        }
        let text = request.chatMessages.last { $0.role == "user" }?.text.lowercased() ?? ""
        var answer: FakeLLMBehaviour = .chat(content: verdictJSON(for: text))
        if let code = marker("fail", in: text) {
            answer = code == 429 ? .rateLimited(retryAfter: "1") : .serverError(code)
        }
        if let milliseconds = marker("slow", in: text), milliseconds > 0 {
            answer = .delayed(.milliseconds(milliseconds), answer)
        }
        if let milliseconds = marker("hold", in: text), milliseconds > 0 {
            answer = .held(timeout: .milliseconds(milliseconds), answer)
        }
        return answer
    }

    /// The verdict JSON for already lower-cased text, byte for byte as documented (keys in fixed order).
    static func verdictJSON(for text: String) -> String {
        var scores = Dictionary(uniqueKeysWithValues: categories.map { ($0, baseline) })
        for (phrases, category, score) in triggers where phrases.contains(where: { text.contains($0) }) {
            scores[category] = max(scores[category] ?? baseline, score)
        }
        let manipulation = manipulationPhrases.contains { text.contains($0) }
        var top = categories[0]
        for category in categories where (scores[category] ?? 0) > (scores[top] ?? 0) {
            top = category
        }
        let topScore = scores[top] ?? baseline
        var rationale = topScore > baseline
            ? "Flagged for \(top) (\(topScore))."
            : "No policy concern detected; top category \(top) (\(topScore))."
        if manipulation {
            rationale += " The message tries to override the moderator's instructions."
        }
        let scoreFields = categories.map { "\"\($0)\":\(scores[$0] ?? baseline)" }.joined(separator: ",")
        let primary = topScore >= 0.5 ? top : "none"
        return "{\"scores\":{\(scoreFields)},\"primary_category\":\"\(primary)\",\"manipulation_attempt\":\(manipulation),\"rationale\":\"\(rationale)\"}"
    }

    /// The number in the first `[[name:N]]` marker, if any.
    static func marker(_ name: String, in text: String) -> Int? {
        guard let start = text.range(of: "[[\(name):") else { return nil }
        let rest = text[start.upperBound...]
        guard let end = rest.range(of: "]]") else { return nil }
        return Int(rest[..<end.lowerBound].trimmingCharacters(in: .whitespaces))
    }
}

/// Deterministic embeddings: character trigrams hashed into 64 buckets, L2-normalized, so strings that
/// share many trigrams get a high cosine similarity.
enum TrigramEmbeddings {
    static let dimensions = 64

    static func respond(to request: RecordedRequest) -> FakeLLMBehaviour {
        let input = request.jsonObject?["input"]
        let texts: [String]
        if let single = input as? String {
            texts = [single]
        } else if let many = input as? [Any], let strings = many as? [String] {
            texts = strings
        } else {
            return .status(400, body: OpenAIShapes.error(message: "'input' must be a string or an array of strings", type: "invalid_request_error", code: nil))
        }
        return .embeddings(texts.map(vector(for:)))
    }

    static func vector(for text: String) -> [Double] {
        var vector = [Double](repeating: 0, count: dimensions)
        let scalars = Array((" " + text.lowercased() + " ").unicodeScalars)
        if scalars.count >= 3 {
            for start in 0...(scalars.count - 3) {
                // FNV-1a over the trigram's scalar values: stable across runs (unlike Hasher).
                var hash: UInt64 = 0xcbf2_9ce4_8422_2325
                for scalar in scalars[start..<(start + 3)] {
                    hash ^= UInt64(scalar.value)
                    hash &*= 0x0000_0100_0000_01b3
                }
                vector[Int(hash % UInt64(dimensions))] += 1
            }
        }
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard norm > 0 else {
            vector[0] = 1
            return vector
        }
        return vector.map { $0 / norm }
    }
}

/// JSON bodies in the shapes OpenAI's API uses.
enum OpenAIShapes {
    static func error(message: String, type: String, code: String?) -> String {
        json(["error": ["message": message, "type": type, "code": code.map { $0 as Any } ?? NSNull(), "param": NSNull()]])
    }

    static func chatCompletion(content: String?, finishReason: String, refusal: String?, promptTokens: Int,
                               completionTokens: Int, model: String, sequence: Int) -> String {
        let message: [String: Any] = [
            "role": "assistant",
            "content": refusal == nil ? (content.map { $0 as Any } ?? NSNull()) : NSNull(),
            "refusal": refusal.map { $0 as Any } ?? NSNull(),
        ]
        return json([
            "id": "chatcmpl-fake-\(sequence)",
            "object": "chat.completion",
            "created": 1_700_000_000,
            "model": model,
            "choices": [["index": 0, "message": message, "logprobs": NSNull(), "finish_reason": finishReason] as [String: Any]],
            "usage": ["prompt_tokens": promptTokens, "completion_tokens": completionTokens, "total_tokens": promptTokens + completionTokens],
        ])
    }

    static func embeddings(_ vectors: [[Double]], model: String) -> String {
        let data: [[String: Any]] = vectors.enumerated().map { index, vector in
            ["object": "embedding", "index": index, "embedding": vector]
        }
        let tokens = vectors.count * 8
        return json(["object": "list", "data": data, "model": model, "usage": ["prompt_tokens": tokens, "total_tokens": tokens]])
    }

    static func json(_ object: [String: Any]) -> String {
        // Sorted keys keep bodies byte-stable between runs; unescaped slashes keep "sexual/minors" readable.
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return "{}"
        }
        return String(decoding: data, as: UTF8.self)
    }
}
