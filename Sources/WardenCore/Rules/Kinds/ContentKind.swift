extension RuleType {
    /// Word lists with wildcards and an allow list.
    public static let content = RuleType(registered: "content")
}

/// `content`: keywords (`word`, `word*`, `*word`, phrases) minus an allow list, found by the rule set's
/// one literal scan on the skeleton, leet, collapsed and joined views by default.
public struct ContentKind: RuleKind {
    public static let type = RuleType.content
    public static var defaultViews: [ViewKind] { [.skeleton, .leet, .collapsed, .joined] }

    public var keywords: [String]?
    public var allow: [String]?

    public init() {}
    public init(keywords: [String], allow: [String]? = nil) { self.keywords = keywords; self.allow = allow }

    public func problems() -> [RuleKindProblem] {
        var out: [RuleKindProblem] = []
        let keywords = self.keywords ?? []
        if keywords.isEmpty { out.append(.init("keywords", "a content rule needs at least one keyword")) }
        for (i, keyword) in keywords.enumerated() {
            if let problem = KeywordPattern.problem(keyword) { out.append(.init("keywords[\(i)]", problem)) }
        }
        for (i, keyword) in (allow ?? []).enumerated() {
            if let problem = KeywordPattern.problem(keyword) { out.append(.init("allow[\(i)]", problem)) }
        }
        return out
    }

    public func compile(_ rule: RuleSetBuilder.Rule, into builder: inout RuleSetBuilder) {
        for view in rule.views {
            for (isAllow, list) in [(false, keywords ?? []), (true, allow ?? [])] {
                for written in list {
                    guard let keyword = KeywordPattern(written) else { continue }  // validated before compiling
                    builder.addKeyword(keyword, written: written, isAllow: isAllow, view: view, for: rule)
                }
            }
        }
        builder.scan(rule.views)
    }

    public var size: RuleSize { RuleSize(keywords: (keywords?.count ?? 0) + (allow?.count ?? 0)) }

    /// Each keyword as its own `\b...\b` pattern (no `\b` on a wildcard side), as a simple bot would.
    public func baselinePatterns() -> [String] {
        (keywords ?? []).compactMap { written in
            guard let keyword = KeywordPattern(written) else { return nil }
            let escaped = keyword.core.unicodeScalars.map { s in
                "\\^$.|?*+()[]{}".unicodeScalars.contains(s) ? "\\" + String(s) : String(s)
            }.joined()
            return (keyword.openStart ? "" : "\\b") + escaped + (keyword.openEnd ? "" : "\\b")
        }
    }
}
