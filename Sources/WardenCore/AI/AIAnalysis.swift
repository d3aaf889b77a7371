/// Why a model's automod answer was not accepted although it was valid JSON of the schema.
public struct AIAnswerError: Error, Sendable, CustomStringConvertible {
    public var field: String
    public var reason: String
    public var description: String { "\(field): \(reason)" }
}

/// What the model said about one message, with where it came from (model, prompt hash, request id).
/// Stored in `automod_logs.ai_analysis` and carried by the decision.
public struct AIAnalysis: Sendable, Codable, Equatable {
    /// Confidence per category, 0-1, for every category of `AICategoryRule.categories`.
    public var scores: [String: Double]
    /// The model's top category, or `none`.
    public var primaryCategory: String
    /// The message tried to instruct the classifier.
    public var manipulationAttempt: Bool
    public var rationale: String
    public var model: String?
    /// SHA-256 of the prompt template that produced it.
    public var promptHash: String
    public var requestID: String?
    public var promptTokens: Int
    public var completionTokens: Int
    public var latencyMillis: Double
    public var attempts: Int

    public init(scores: [String: Double], primaryCategory: String, manipulationAttempt: Bool, rationale: String,
                model: String? = nil, promptHash: String, requestID: String? = nil, promptTokens: Int = 0,
                completionTokens: Int = 0, latencyMillis: Double = 0, attempts: Int = 1) {
        self.scores = scores; self.primaryCategory = primaryCategory; self.manipulationAttempt = manipulationAttempt
        self.rationale = rationale; self.model = model; self.promptHash = promptHash; self.requestID = requestID
        self.promptTokens = promptTokens; self.completionTokens = completionTokens; self.latencyMillis = latencyMillis
        self.attempts = attempts
    }

    enum CodingKeys: String, CodingKey {
        case scores, primaryCategory = "primary_category", manipulationAttempt = "manipulation_attempt", rationale, model
        case promptHash = "prompt_hash", requestID = "request_id", promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens", latencyMillis = "latency_ms", attempts
    }

    /// The longest rationale kept; a model that writes essays does not fill the log.
    public static let maxRationale = 600

    /// Reads the model's answer, re-checking on our side what the schema promised: every category scored
    /// once with a finite number in 0-1, no unknown category, `primary_category` one of the enum, the flag a
    /// boolean. Provider-side strict mode is not trusted to have done it.
    public static func parse(answer: JSONValue, promptHash: String) throws(AIAnswerError) -> AIAnalysis {
        guard let object = answer.objectValue else { throw AIAnswerError(field: "$", reason: "not an object") }
        guard let scoreObject = object["scores"]?.objectValue else { throw AIAnswerError(field: "$.scores", reason: "missing or not an object") }
        var scores: [String: Double] = [:]
        for (category, value) in scoreObject {
            guard AICategoryRule.categories.contains(category) else {
                throw AIAnswerError(field: "$.scores", reason: "unknown category '\(category)'")
            }
            guard let number = value.numberValue, number.isFinite, (0...1).contains(number) else {
                throw AIAnswerError(field: "$.scores.\(category)", reason: "must be a number between 0 and 1")
            }
            scores[category] = number
        }
        for category in AICategoryRule.categories where scores[category] == nil {
            throw AIAnswerError(field: "$.scores.\(category)", reason: "missing")
        }
        guard let primary = object["primary_category"]?.stringValue, primary == "none" || AICategoryRule.categories.contains(primary) else {
            throw AIAnswerError(field: "$.primary_category", reason: "must be one of the categories or none")
        }
        guard let flag = object["manipulation_attempt"]?.boolValue else {
            throw AIAnswerError(field: "$.manipulation_attempt", reason: "missing or not a boolean")
        }
        guard let rationale = object["rationale"]?.stringValue else { throw AIAnswerError(field: "$.rationale", reason: "missing or not a string") }
        return AIAnalysis(scores: scores, primaryCategory: primary, manipulationAttempt: flag,
                          rationale: String(rationale.prefix(maxRationale)), promptHash: promptHash)
    }
}
