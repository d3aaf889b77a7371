extension RuleType {
    /// Categories scored by the moderation model (the LLM stage).
    public static let ai = RuleType(registered: "ai")
}

/// One category of an `ai` rule: flag when the model's confidence reaches `threshold`.
public struct AICategoryRule: Codable, Sendable, Equatable {
    public static let categories = ["harassment", "hate", "sexual", "sexual/minors", "self-harm", "violence",
                                    "illicit", "scam/phishing", "doxxing/pii", "spam"]
    public var category: String
    public var threshold: Double
    public var action: RuleAction?

    public init(category: String, threshold: Double, action: RuleAction? = nil) {
        self.category = category; self.threshold = threshold; self.action = action
    }
}

/// `ai`: categories the moderation model scores. Compiling marks the rule for the LLM stage; the
/// model's analysis becomes matches here (`matches(for:rules:)`): the model proposes, this decides.
public struct AIKind: RuleKind {
    public static let type = RuleType.ai
    /// Name suffix of the match recorded when a message tried to instruct the classifier.
    public static let manipulationRule = "manipulation_attempt"

    public var categories: [AICategoryRule]?

    public init() {}
    public init(categories: [AICategoryRule]) { self.categories = categories }

    public func problems() -> [RuleKindProblem] {
        var out: [RuleKindProblem] = []
        let categories = self.categories ?? []
        if categories.isEmpty { out.append(.init("categories", "an ai rule needs at least one category")) }
        for (i, category) in categories.enumerated() {
            if !AICategoryRule.categories.contains(category.category) {
                out.append(.init("categories[\(i)].category",
                                 "unknown category '\(category.category)' (expected one of \(AICategoryRule.categories.joined(separator: ", ")))"))
            }
            if !(0...1).contains(category.threshold) { out.append(.init("categories[\(i)].threshold", "must be between 0 and 1")) }
            for problem in category.action?.problems() ?? [] { out.append(.init("categories[\(i)].\(problem.field)", problem.message)) }
        }
        return out
    }

    public func compile(_ rule: RuleSetBuilder.Rule, into builder: inout RuleSetBuilder) {
        builder.askModel(for: rule)
    }

    /// One match per category of each rule whose score reaches its threshold. Self-harm always becomes a
    /// moderator alert, whatever action the rule names: the member needs a person, not a punishment.
    /// A manipulation attempt is an alert too (moderators should see who probes the classifier).
    public static func matches(for analysis: AIAnalysis, rules: [CompiledRule]) -> [RuleMatch] {
        var out: [RuleMatch] = []
        for rule in rules {
            for category in rule.definition.config(as: AIKind.self)?.categories ?? [] {
                guard let score = analysis.scores[category.category], score >= category.threshold else { continue }
                var action = category.action ?? rule.definition.effectiveAction
                if category.category == "self-harm" {
                    action = RuleAction(type: .alert, severity: max(1, min(5, action.severity)),
                                        reason: action.reason ?? "Possible self-harm: reach out to the member")
                }
                out.append(RuleMatch(rule: rule.name, ruleID: rule.id, type: type, stage: .llm,
                                     evidence: Evidence(category: category.category, confidence: score, minConfidence: category.threshold),
                                     action: action))
            }
        }
        if analysis.manipulationAttempt, let rule = rules.first {
            out.append(RuleMatch(rule: rule.name + ":" + manipulationRule, ruleID: rule.id, type: type, stage: .llm,
                                 evidence: Evidence(category: manipulationRule),
                                 action: RuleAction(type: .alert, severity: 1, reason: "The message tried to instruct the moderation model")))
        }
        return out
    }
}
