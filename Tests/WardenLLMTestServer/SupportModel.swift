import Foundation

/// The deterministic support-desk "models": ticket summaries, FAQ drafts and payment screenshots.
///
/// Requests are told apart by the structured-output name Warden sends (`warden_ticket_summary`,
/// `warden_faq_proposal`, `warden_verification`, `warden_appeal_triage` for ``TriageModel``); anything else goes to the default responder (automod,
/// embeddings). The data a prompt carries is read back from between its boundary lines, as a model would.
///
/// - Summaries: a recorded answer when the ticket's description is in `summaries` (description → answer JSON
///   text, e.g. from fixtures/tickets/tickets.jsonl); otherwise one made from the description's words. A
///   description containing `[[fail:500]]` or `[[fail:429]]` gets that error; `[[slow:N]]` delays N ms.
/// - FAQ drafts: a title from the most common topic, the first summary as the answer, the topic's words and
///   the summaries' most common words as keywords.
/// - Screenshots: `VisionModel` with the recorded `vision` answers (SHA-256 of the image → answer JSON).
public enum SupportModel {
    public static func responder(summaries: [String: String] = [:], vision: [String: String] = [:])
        -> @Sendable (RecordedRequest) -> FakeLLMBehaviour
    {
        let visionModel = VisionModel.fallback(answers: vision)
        return { request in
            switch schemaName(request) {
            case "warden_ticket_summary": return summary(request, recorded: summaries)
            case "warden_faq_proposal": return proposal(request)
            case "warden_verification": return visionModel(request)
            case "warden_appeal_triage": return TriageModel.respond(to: request, gullible: false)
            default: return FakeLLMServer.defaultResponder(request)
            }
        }
    }

    /// Recorded summaries from a tickets JSONL file (one ticket per line with `messages[0].content` as the
    /// description and `summary` as the recorded answer): description → answer JSON text.
    public static func recordedSummaries(fromJSONL url: URL) throws -> [String: String] {
        let text = try String(contentsOf: url, encoding: .utf8)
        var table: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let messages = object["messages"] as? [[String: Any]], let first = messages.first?["content"] as? String,
                  let answer = object["summary"] else { continue }
            let data = try JSONSerialization.data(withJSONObject: answer, options: [.sortedKeys])
            table[first.trimmingCharacters(in: .whitespacesAndNewlines)] = String(decoding: data, as: UTF8.self)
        }
        return table
    }

    static func schemaName(_ request: RecordedRequest) -> String? {
        guard let format = request.jsonObject?["response_format"] as? [String: Any],
              let schema = format["json_schema"] as? [String: Any] else { return nil }
        return schema["name"] as? String
    }

    /// The JSON object between the prompt's boundary lines in the last user message.
    static func data(_ request: RecordedRequest) -> [String: Any]? {
        guard let text = request.chatMessages.last(where: { $0.role == "user" })?.text,
              let open = text.range(of: ">>>\n"), let close = text.range(of: "\n<<<END-", options: .backwards),
              open.upperBound <= close.lowerBound else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(text[open.upperBound..<close.lowerBound].utf8))) as? [String: Any]
    }

    static func summary(_ request: RecordedRequest, recorded: [String: String]) -> FakeLLMBehaviour {
        guard let data = data(request), let description = data["description"] as? String else {
            return .status(400, body: OpenAIShapes.error(message: "no ticket data found", type: "invalid_request_error", code: nil))
        }
        let lower = description.lowercased()
        var answer: FakeLLMBehaviour
        if let code = AutomodModel.marker("fail", in: lower) {
            answer = code == 429 ? .rateLimited(retryAfter: "1") : .serverError(code)
        } else if let recordedAnswer = recorded[description.trimmingCharacters(in: .whitespacesAndNewlines)] {
            answer = .chat(content: recordedAnswer)
        } else {
            let words = lower.split { !$0.isLetter && !$0.isNumber }.map(String.init).filter { $0.count > 3 }
            let key = words.prefix(2).joined(separator: "-")
            answer = .chat(content: json([
                "summary": "The member wrote: " + words.prefix(24).joined(separator: " ") + ". Staff answered the request.",
                "similarity_key": key.isEmpty ? "other" : key, "category": "other",
            ]))
        }
        if let milliseconds = AutomodModel.marker("slow", in: lower), milliseconds > 0 {
            answer = .delayed(.milliseconds(milliseconds), answer)
        }
        return answer
    }

    static func proposal(_ request: RecordedRequest) -> FakeLLMBehaviour {
        guard let tickets = data(request)?["tickets"] as? [[String: Any]], !tickets.isEmpty else {
            return .status(400, body: OpenAIShapes.error(message: "no summaries found", type: "invalid_request_error", code: nil))
        }
        let topics = tickets.compactMap { $0["topic"] as? String }.filter { !$0.isEmpty }
        let topic = mostCommon(topics) ?? "this problem"
        let topicWords = topic.split(separator: "-").map(String.init)
        let summaries = tickets.compactMap { $0["summary"] as? String }
        let common = mostCommonWords(summaries, excluding: Set(topicWords), count: 3)
        let keywords = Array((topicWords + common).prefix(8))
        return .chat(content: json([
            "title": "How do I fix " + topicWords.joined(separator: " ") + "?",
            "answer": summaries.first ?? "Contact staff.",
            "keywords": keywords.isEmpty ? ["help"] : keywords,
        ]))
    }

    private static func mostCommon(_ items: [String]) -> String? {
        var counts: [String: Int] = [:]
        for item in items { counts[item, default: 0] += 1 }
        return counts.max { a, b in a.value != b.value ? a.value < b.value : a.key > b.key }?.key
    }

    private static func mostCommonWords(_ texts: [String], excluding: Set<String>, count: Int) -> [String] {
        var counts: [String: Int] = [:]
        for text in texts {
            for word in Set(text.lowercased().split { !$0.isLetter }.map(String.init)) where word.count > 4 && !excluding.contains(word) {
                counts[word, default: 0] += 1
            }
        }
        return counts.sorted { a, b in a.value != b.value ? a.value > b.value : a.key < b.key }.prefix(count).map(\.key)
    }

    private static func json(_ object: [String: Any]) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
