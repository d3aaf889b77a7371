import Foundation

/// Checks one rule for everything that would make it misbehave: patterns that do not compile (with
/// PCRE2's offset), bad keywords, unknown detectors or categories, out-of-range thresholds and actions.
/// The shared fields are checked here; each kind checks its own (`RuleKind.problems`).
public enum RuleValidator {
    public static func problems(in rule: RuleDefinition, file: String) -> [RuleIssue] {
        var issues: [RuleIssue] = []
        func issue(_ field: String?, _ message: String, offset: Int? = nil, code: String? = nil) {
            issues.append(RuleIssue(file: file, rule: rule.name, field: field, message: message, offset: offset, code: code))
        }
        if rule.name.isEmpty || rule.name.count > 100 { issue("name", "must be 1-100 characters") }
        if let problem = textProblem(in: rule) { issue(problem.field, problem.detail, code: problem.code) }
        for problem in rule.config.problems() { issue(problem.field, problem.message, offset: problem.offset) }
        for problem in rule.action?.problems() ?? [] { issue(problem.field, problem.message) }
        if type(of: rule.config).defaultViews.isEmpty, rule.views != nil {
            let matching = RuleKinds.all.filter { !$0.defaultViews.isEmpty }.map { $0.type.rawValue }
            issue("views", "only \(matching.listed("and")) rules match views")
        }
        if let views = rule.views {
            var seen = Set<ViewKind>()
            for (index, view) in views.enumerated() where !seen.insert(view).inserted {
                issue("views[\(index)]", "lists '\(view.rawValue)' again; each view once")
            }
        }
        return issues
    }

    /// The first text of the rule (name, keywords, patterns, description, ... in its pack form) that
    /// ``TextPolicy`` refuses, whichever format the rule came in: the check runs on the decoded rule.
    static func textProblem(in rule: RuleDefinition) -> InvalidText? {
        guard let data = try? JSONEncoder().encode(rule), let value = try? JSONValue.parse(Array(data)) else { return nil }
        do throws(InvalidText) { try TextPolicy.check(value) } catch { return error }
        return nil
    }
}
