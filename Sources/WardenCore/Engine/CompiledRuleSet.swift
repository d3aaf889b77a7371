/// A rule as loaded for a guild: its `automod_rules.id` (nil for an unsaved pack) and definition.
public struct RuleSource: Sendable, Equatable {
    public var id: Int64?
    public var definition: RuleDefinition
    public init(id: Int64?, definition: RuleDefinition) { self.id = id; self.definition = definition }
}

/// One guild's rules compiled once and shared by every thread: PCRE2 patterns (JIT), one literal scanner
/// over every regex literal and keyword, and the spam detectors' configuration.
public final class CompiledRuleSet: Sendable {
    struct Pattern: Sendable {
        let regex: RegexPattern
        let rule: Int
        /// No required literal could be derived: the pattern runs on every message.
        let alwaysRun: Bool
    }

    struct KeywordUse: Sendable {
        let rule: Int
        let keyword: Int
        let isAllow: Bool
        let view: ViewKind
        let length: Int
        let openStart: Bool
        let openEnd: Bool
        let runs: [UInt16]
    }

    enum LiteralUse: Sendable {
        case pattern(Int)
        case keyword(KeywordUse)
    }

    public let rules: [CompiledRule]
    let patterns: [Pattern]
    let scanner: LiteralScanner
    let literalUses: [[LiteralUse]]
    let alwaysRunPatterns: [Int]
    /// Views to build for each message.
    public let views: ViewSet
    /// Views the literal scanner runs over.
    let scanViews: [ViewKind]
    public let spamRules: [SpamRule]
    /// The detectors `spamRules` use, in table order: only these read their counts from each message.
    public let spamDetectors: [SpamDetector]
    public let aiRules: [CompiledRule]
    /// Rules left out because they did not compile (packs are validated earlier; this catches stored rules).
    public let issues: [RuleIssue]

    public init(rules sources: [RuleSource], normalizer: Normalizer = Normalizer()) {
        var rules: [CompiledRule] = []
        var patterns: [Pattern] = []
        var issues: [RuleIssue] = []
        var literalIDs: [[UInt8]: Int] = [:]
        var literals: [[UInt8]] = []
        var uses: [[LiteralUse]] = []
        var views = ViewSet()
        var scanViews = ViewSet()
        var spamRules: [SpamRule] = []
        var aiRules: [CompiledRule] = []

        func literalID(_ bytes: [UInt8]) -> Int {
            if let id = literalIDs[bytes] { return id }
            literals.append(bytes); uses.append([])
            literalIDs[bytes] = literals.count - 1
            return literals.count - 1
        }

        for source in sources where source.definition.enabled {
            let definition = source.definition
            let problems = RuleValidator.problems(in: definition, file: "rule \(source.id.map(String.init) ?? definition.name)")
            if !problems.isEmpty { issues.append(contentsOf: problems); continue }
            let index = rules.count
            var patternIndices: [Int] = []
            switch definition.type {
            case .regex:
                for text in definition.patterns ?? [] {
                    guard let regex = try? RegexPattern(text) else { continue }  // validated above
                    // Literals are lowercase; the raw view is not, so patterns on it always run.
                    let literalSet = definition.effectiveViews.contains(.raw) ? nil : RequiredLiterals.of(text)
                    let p = patterns.count
                    patterns.append(Pattern(regex: regex, rule: index, alwaysRun: literalSet == nil))
                    patternIndices.append(p)
                    for literal in literalSet ?? [] { uses[literalID(Array(literal.utf8))].append(.pattern(p)) }
                }
                views.formUnion(ViewSet(definition.effectiveViews))
                scanViews.formUnion(ViewSet(definition.effectiveViews))
            case .content:
                for view in definition.effectiveViews {
                    for (isAllow, list) in [(false, definition.keywords ?? []), (true, definition.allow ?? [])] {
                        for (k, written) in list.enumerated() {
                            guard let keyword = KeywordPattern(written) else { continue }
                            var form = normalizer.keywordForm(keyword.core, in: view)
                            if view == .collapsed && form.runs.isEmpty { form.runs = Array(repeating: 1, count: form.bytes.count) }
                            guard !form.bytes.isEmpty else { continue }
                            let use = KeywordUse(rule: index, keyword: k, isAllow: isAllow, view: view, length: form.bytes.count,
                                                 openStart: keyword.openStart, openEnd: keyword.openEnd, runs: form.runs)
                            uses[literalID(form.bytes)].append(.keyword(use))
                        }
                    }
                }
                views.formUnion(ViewSet(definition.effectiveViews))
                scanViews.formUnion(ViewSet(definition.effectiveViews))
            case .spam:
                if let detector = definition.detector.flatMap(SpamDetector.init(rawValue:)) {
                    spamRules.append(SpamRule(id: index, detector: detector, threshold: definition.threshold ?? 1,
                                              windowSeconds: definition.windowSeconds ?? 0,
                                              scope: definition.scope.flatMap(SpamScope.init(rawValue:)) ?? .user))
                }
            case .ai:
                break
            }
            let rule = CompiledRule(index: index, id: source.id, definition: definition, patternIndices: patternIndices)
            rules.append(rule)
            if definition.type == .ai { aiRules.append(rule) }
        }
        // Spam signals count links and invites, which the links view extracts.
        if !spamRules.isEmpty { views.insert(ViewSet([.links, .skeleton])) }

        self.rules = rules
        self.patterns = patterns
        self.scanner = LiteralScanner(literals: literals)
        self.literalUses = uses
        self.alwaysRunPatterns = patterns.indices.filter { patterns[$0].alwaysRun }
        self.views = views.closedOverParents
        self.scanViews = scanViews.kinds
        self.spamRules = spamRules
        self.spamDetectors = SpamDetector.allCases.filter { detector in spamRules.contains { $0.detector == detector } }
        self.aiRules = aiRules
        self.issues = issues
    }

    public var patternCount: Int { patterns.count }
    public var alwaysRunPatternCount: Int { alwaysRunPatterns.count }

    /// Whether any enabled `ai` rule applies to this message (no allocation).
    public func hasAIRule(for message: DiscordMessage) -> Bool {
        aiRules.contains { !$0.isDisabled && $0.applies(channel: message.channelID, roles: message.member?.roles ?? []) }
    }

    /// The enabled `ai` rules that apply to this message's channel and author roles.
    public func aiRules(for message: DiscordMessage) -> [CompiledRule] {
        aiRules.filter { !$0.isDisabled && $0.applies(channel: message.channelID, roles: message.member?.roles ?? []) }
    }
}
