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
            views.formUnion(ViewSet(rule.effectiveViews))
            switch rule.type {
            case .regex:
                for p in rule.patterns ?? [] { entries.append((rule.effectiveViews, try RegexPattern(p))) }
            case .content:
                for k in rule.keywords ?? [] {
                    guard let kw = KeywordPattern(k) else { continue }
                    let escaped = kw.core.unicodeScalars.map { s in
                        "\\^$.|?*+()[]{}".unicodeScalars.contains(s) ? "\\" + String(s) : String(s)
                    }.joined()
                    entries.append((rule.effectiveViews, try RegexPattern((kw.openStart ? "" : "\\b") + escaped + (kw.openEnd ? "" : "\\b"))))
                }
            case .spam, .ai: break
            }
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
