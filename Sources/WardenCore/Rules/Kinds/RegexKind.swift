extension RuleType {
    /// PCRE2 patterns over normalized views.
    public static let regex = RuleType(registered: "regex")
}

/// `regex`: PCRE2 patterns, matched on the skeleton, leet and joined views by default. Each pattern's
/// required literals feed the rule set's one literal scan, so a pattern runs only when one occurs.
public struct RegexKind: RuleKind {
    public static let type = RuleType.regex
    public static var defaultViews: [ViewKind] { [.skeleton, .leet, .joined] }

    public var patterns: [String]?

    public init() {}
    public init(patterns: [String]) { self.patterns = patterns }

    public func problems() -> [RuleKindProblem] {
        var out: [RuleKindProblem] = []
        let patterns = self.patterns ?? []
        if patterns.isEmpty { out.append(.init("patterns", "a regex rule needs at least one pattern")) }
        for (i, pattern) in patterns.enumerated() {
            do { _ = try RegexPattern(pattern) } catch {
                out.append(.init("patterns[\(i)]", "\(error.message) at offset \(error.offset)", offset: error.offset))
            }
        }
        return out
    }

    public func compile(_ rule: RuleSetBuilder.Rule, into builder: inout RuleSetBuilder) {
        for text in patterns ?? [] {
            guard let regex = try? RegexPattern(text) else { continue }  // validated before compiling
            // Literals are lowercase; the raw view is not, so patterns on it always run.
            let requirements = rule.views.contains(.raw) ? nil : RequiredLiterals.requirements(of: text)
            builder.addPattern(regex, requirements: requirements, for: rule)
        }
        builder.scan(rule.views)
    }

    public func baselinePatterns() -> [String] { patterns ?? [] }

    public var size: RuleSize { RuleSize(patterns: patterns?.count ?? 0) }
}
