/// Which stage of the pipeline produced a match.
public enum Stage: String, Codable, Sendable {
    case content, spam, llm
}

/// Why a rule matched: the view and the span of the original text for content rules, the detector's
/// count for spam rules.
public struct Evidence: Codable, Sendable, Equatable {
    public var view: ViewKind?
    public var pattern: String?
    public var keyword: String?
    /// The original text of the span (at most 200 characters).
    public var text: String?
    /// Span in the original content, in Unicode scalar offsets (Python `str` indices), end exclusive.
    public var start: Int?
    public var end: Int?
    public var detector: String?
    public var observed: Int?
    public var threshold: Int?
    public var windowSeconds: Double?
    /// LLM matches: the category and the model's confidence, against the rule's `minConfidence`.
    public var category: String?
    public var confidence: Double?
    public var minConfidence: Double?
    /// Attachment matches: the refused file's name (`pattern` says what was refused in it).
    public var attachment: String?
    /// Where the matched text came from when it was not a new message's content: `edit` (the content of an
    /// edited message), `embeds` (the text of its embeds: title, description, URL, provider, author, fields,
    /// footer; spans are offsets in that text), `discord_automod` (Discord's own AutoMod matched it).
    public var source: String?
    /// Profile matches: the member's name that matched (`username`, `global_name`, `nick`).
    public var field: String?

    public init(view: ViewKind? = nil, pattern: String? = nil, keyword: String? = nil, text: String? = nil,
                start: Int? = nil, end: Int? = nil, detector: String? = nil, observed: Int? = nil,
                threshold: Int? = nil, windowSeconds: Double? = nil, category: String? = nil, confidence: Double? = nil,
                minConfidence: Double? = nil, attachment: String? = nil, source: String? = nil) {
        self.view = view; self.pattern = pattern; self.keyword = keyword; self.text = text; self.start = start
        self.end = end; self.detector = detector; self.observed = observed; self.threshold = threshold
        self.windowSeconds = windowSeconds; self.category = category; self.confidence = confidence; self.minConfidence = minConfidence
        self.attachment = attachment; self.source = source
    }

    enum CodingKeys: String, CodingKey {
        case view, pattern, keyword, text, start, end, detector, observed, threshold, windowSeconds = "window_seconds"
        case category, confidence, minConfidence = "min_confidence", attachment, source, field
    }
}

/// One rule that matched a message.
public struct RuleMatch: Codable, Sendable, Equatable {
    public var rule: String
    public var ruleID: Int64?
    public var type: RuleType
    public var stage: Stage
    public var evidence: Evidence
    public var action: RuleAction

    public init(rule: String, ruleID: Int64?, type: RuleType, stage: Stage, evidence: Evidence, action: RuleAction) {
        self.rule = rule; self.ruleID = ruleID; self.type = type; self.stage = stage; self.evidence = evidence; self.action = action
    }

    enum CodingKeys: String, CodingKey { case rule, ruleID = "rule_id", type, stage, evidence, action }
}

/// A rule that could not be evaluated (PCRE2 gave up). Recorded in the decision, never a silent "no match".
public struct RuleFailure: Codable, Sendable, Equatable {
    public var rule: String
    public var ruleID: Int64?
    public var stage: Stage
    public var code: String
    public var message: String
    /// True when this failure disabled the rule for the guild.
    public var disabled: Bool

    enum CodingKeys: String, CodingKey { case rule, ruleID = "rule_id", stage, code, message, disabled }
}
