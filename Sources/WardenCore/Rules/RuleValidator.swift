/// Checks one rule for everything that would make it misbehave: patterns that do not compile (with
/// PCRE2's offset), bad keywords, unknown detectors or categories, out-of-range thresholds and actions.
public enum RuleValidator {
    public static func problems(in rule: RuleDefinition, file: String) -> [RuleIssue] {
        var issues: [RuleIssue] = []
        func issue(_ field: String?, _ message: String, offset: Int? = nil) {
            issues.append(RuleIssue(file: file, rule: rule.name, field: field, message: message, offset: offset))
        }
        if rule.name.isEmpty || rule.name.count > 100 { issue("name", "must be 1-100 characters") }
        switch rule.type {
        case .regex:
            let patterns = rule.patterns ?? []
            if patterns.isEmpty { issue("patterns", "a regex rule needs at least one pattern") }
            for (i, pattern) in patterns.enumerated() {
                do { _ = try RegexPattern(pattern) } catch {
                    issue("patterns[\(i)]", "\(error.message) at offset \(error.offset)", offset: error.offset)
                }
            }
        case .content:
            let keywords = rule.keywords ?? []
            if keywords.isEmpty { issue("keywords", "a content rule needs at least one keyword") }
            for (i, keyword) in keywords.enumerated() {
                if let problem = KeywordPattern.problem(keyword) { issue("keywords[\(i)]", problem) }
            }
            for (i, keyword) in (rule.allow ?? []).enumerated() {
                if let problem = KeywordPattern.problem(keyword) { issue("allow[\(i)]", problem) }
            }
        case .spam:
            guard let name = rule.detector, let detector = SpamDetector(rawValue: name) else {
                issue("detector", "must be one of \(SpamDetector.allCases.map(\.rawValue).joined(separator: ", ")); got \(rule.detector.map { "'\($0)'" } ?? "nothing")")
                break
            }
            let threshold = rule.threshold ?? 0
            if threshold < 1 { issue("threshold", "must be a positive integer") }
            else if threshold > detector.spec.thresholds.upperBound {
                issue("threshold", "must be between \(detector.spec.thresholds.lowerBound) and \(detector.spec.thresholds.upperBound) for the \(name) detector")
            }
            if !detector.isPerMessage {
                guard let window = rule.windowSeconds else { issue("window", "the \(name) detector needs a window (e.g. 10s)"); break }
                if window <= 0 || window > 86_400 { issue("window", "must be between 1s and 1d") }
            }
            if let scope = rule.scope, SpamScope(rawValue: scope) == nil { issue("scope", "must be user or channel, got '\(scope)'") }
        case .ai:
            let categories = rule.categories ?? []
            if categories.isEmpty { issue("categories", "an ai rule needs at least one category") }
            for (i, category) in categories.enumerated() {
                if !AICategoryRule.categories.contains(category.category) {
                    issue("categories[\(i)].category", "unknown category '\(category.category)' (expected one of \(AICategoryRule.categories.joined(separator: ", ")))")
                }
                if !(0...1).contains(category.threshold) { issue("categories[\(i)].threshold", "must be between 0 and 1") }
                for (field, message) in category.action?.problems() ?? [] { issue("categories[\(i)].\(field)", message) }
            }
        }
        for (field, message) in rule.action?.problems() ?? [] { issue(field, message) }
        if rule.type == .spam || rule.type == .ai, rule.views != nil { issue("views", "only regex and content rules match views") }
        return issues
    }
}
