/// The policy that turns a model's scores into rule matches. The model proposes; this decides.
public enum AIVerdict {
    /// Name suffix of the match recorded when a message tried to instruct the classifier.
    public static let manipulationRule = "manipulation_attempt"

    /// One match per `ai` rule category whose score reaches its threshold. Self-harm always becomes a
    /// moderator alert, whatever action the rule names: the member needs a person, not a punishment.
    /// A manipulation attempt is an alert too (moderators should see who probes the classifier).
    public static func matches(for analysis: AIAnalysis, rules: [CompiledRule]) -> [RuleMatch] {
        var out: [RuleMatch] = []
        for rule in rules {
            for category in rule.definition.categories ?? [] {
                guard let score = analysis.scores[category.category], score >= category.threshold else { continue }
                var action = category.action ?? rule.definition.effectiveAction
                if category.category == "self-harm" {
                    action = RuleAction(type: .alert, severity: max(1, min(5, action.severity)),
                                        reason: action.reason ?? "Possible self-harm: reach out to the member")
                }
                out.append(RuleMatch(rule: rule.name, ruleID: rule.id, type: .ai, stage: .llm,
                                     evidence: Evidence(category: category.category, confidence: score, minConfidence: category.threshold),
                                     action: action))
            }
        }
        if analysis.manipulationAttempt, let rule = rules.first {
            out.append(RuleMatch(rule: rule.name + ":" + manipulationRule, ruleID: rule.id, type: .ai, stage: .llm,
                                 evidence: Evidence(category: manipulationRule),
                                 action: RuleAction(type: .alert, severity: 1, reason: "The message tried to instruct the moderation model")))
        }
        return out
    }
}
