/// The policy that turns a model's scores into rule matches; it lives with the `ai` kind (`AIKind`), and
/// this name stays for the LLM stage that calls it.
public enum AIVerdict {
    /// Name suffix of the match recorded when a message tried to instruct the classifier.
    public static let manipulationRule = AIKind.manipulationRule

    /// See `AIKind.matches(for:rules:)`.
    public static func matches(for analysis: AIAnalysis, rules: [CompiledRule]) -> [RuleMatch] {
        AIKind.matches(for: analysis, rules: rules)
    }
}
