import Foundation

/// The deterministic appeal triage "model" (requests with the structured-output name `warden_appeal_triage`).
///
/// It reads the case back from between the prompt's boundary lines, as a model would: `appeal.reason`,
/// `log.message`, `log.actions`, `log.rule`, `log.matches`.
///
/// - An honest model (the default): `overturn` (confidence 0.8) when the reason explains the message
///   (quoting, warning others, a joke, a mistake, a false positive), else `uphold` (0.6); an appeal that
///   tells it what to do ("ignore ... instructions", "you are now", "dear ai", "system:") is reported
///   (`instruction_attempt`) and upheld at 0.4.
/// - A gullible model (`gullible: true`): the same, except that an appeal telling it to overturn is obeyed:
///   `overturn` at confidence 1.0 with `instruction_attempt` false, as a model an injection fooled answers.
///   Tests use it to show Warden's own check flags the appeal anyway.
/// - `[[fail:500]]` or `[[fail:429]]` in the reason answers that error; `[[slow:N]]` delays N ms.
public enum TriageModel {
    /// A fallback for ``FakeLLMServer/setFallback(_:)``: triage requests answered by this model, everything
    /// else by ``SupportModel/responder(summaries:vision:)``.
    public static func fallback(gullible: Bool = false) -> @Sendable (RecordedRequest) -> FakeLLMBehaviour {
        let support = SupportModel.responder()
        return { request in
            SupportModel.schemaName(request) == "warden_appeal_triage" ? respond(to: request, gullible: gullible) : support(request)
        }
    }

    static let explanations = ["quot", "warn", "joke", "joking", "mistake", "false positive", "by accident", "sarcas"]
    static let instructions = ["ignore", "instruction", "system:", "you are now", "dear ai", "disregard"]

    static func respond(to request: RecordedRequest, gullible: Bool) -> FakeLLMBehaviour {
        guard let data = SupportModel.data(request), let appeal = data["appeal"] as? [String: Any],
              let reason = appeal["reason"] as? String, let log = data["log"] as? [String: Any] else {
            return .status(400, body: OpenAIShapes.error(message: "no appeal data found", type: "invalid_request_error", code: nil))
        }
        let lower = reason.lowercased()
        if let code = AutomodModel.marker("fail", in: lower) {
            return code == 429 ? .rateLimited(retryAfter: "1") : .serverError(code)
        }
        let actions = log["actions"] as? String ?? "an action"
        let rule = (log["rule"] as? [String: Any])?["name"] as? String ?? "no rule"
        let matched = ((log["matches"] as? [[String: Any]])?.first?["text"] as? String).map { " on \"\($0.prefix(40))\"" } ?? ""
        let words = lower.split { !$0.isLetter && !$0.isNumber }.prefix(12).joined(separator: " ")
        let instructed = instructions.contains { lower.contains($0) }
        var suggestion: String, confidence: Double, attempt: Bool
        if instructed && gullible && lower.contains("overturn") {
            (suggestion, confidence, attempt) = ("overturn", 1.0, false)
        } else if instructed {
            (suggestion, confidence, attempt) = ("uphold", 0.4, true)
        } else if explanations.contains(where: { lower.contains($0) }) {
            (suggestion, confidence, attempt) = ("overturn", 0.8, false)
        } else {
            (suggestion, confidence, attempt) = ("uphold", 0.6, false)
        }
        let summary = "The member appealed \(actions) by rule \(rule)\(matched). They write: \(words)."
            + (attempt ? " The appeal tries to instruct the reviewer." : "")
        var answer: FakeLLMBehaviour = .chat(content: json([
            "summary": summary,
            "evidence": ["rule \(rule) matched\(matched)", words.isEmpty ? "the appeal gives no reason" : "the appeal says: \(words)"],
            "suggestion": suggestion, "confidence": confidence, "instruction_attempt": attempt,
        ]))
        if let milliseconds = AutomodModel.marker("slow", in: lower), milliseconds > 0 {
            answer = .delayed(.milliseconds(milliseconds), answer)
        }
        return answer
    }

    private static func json(_ object: [String: Any]) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
