import WardenCore

/// The baseline: every rule evaluated one by one, every pattern run by PCRE2 on every view it names,
/// each keyword as its own `\b...\b` pattern. What a straightforward bot does.
struct NaiveEvaluator {
    let entries: [(views: [ViewKind], regex: RegexPattern)]
    let views: ViewSet

    init(_ rules: [RuleDefinition]) throws {
        var entries: [(views: [ViewKind], regex: RegexPattern)] = []
        var views = ViewSet()
        for rule in rules where rule.enabled {
            // Each kind says what a rule-by-rule bot would run for it (kinds that match no text: nothing).
            let patterns = rule.config.baselinePatterns()
            if patterns.isEmpty { continue }
            views.formUnion(ViewSet(rule.effectiveViews))
            for p in patterns { entries.append((rule.effectiveViews, try RegexPattern(p))) }
        }
        self.entries = entries
        self.views = views.closedOverParents
    }

    func matchCount(_ text: NormalizedText, scratch: RegexScratch) -> Int {
        var hits = 0
        for entry in entries {
            for kind in entry.views {
                guard let view = text.view(kind) else { continue }
                let outcome = view.bytes.withUnsafeBufferPointer { entry.regex.firstMatch(in: $0, scratch: scratch) }
                if case .match = outcome { hits += 1; break }
            }
        }
        return hits
    }
}
