/// A rule as loaded for a guild: its `automod_rules.id` (nil for an unsaved pack) and definition.
public struct RuleSource: Sendable, Equatable {
    public var id: Int64?
    public var definition: RuleDefinition
    public init(id: Int64?, definition: RuleDefinition) { self.id = id; self.definition = definition }
}

/// One guild's rules compiled once and shared by every thread: PCRE2 patterns (JIT), one literal scanner
/// over every regex literal and keyword, and the spam detectors' configuration. Each rule's kind decides
/// what it adds (`RuleKind.compile` through `RuleSetBuilder`).
public final class CompiledRuleSet: Sendable {
    struct Pattern: Sendable {
        let regex: RegexPattern
        let rule: Int
        /// No required literal could be derived: the pattern runs on every message.
        let alwaysRun: Bool
    }

    struct KeywordUse: Sendable {
        let rule: Int
        /// Index into `CompiledRuleSet.keywordTexts`.
        let keyword: Int
        let isAllow: Bool
        let view: ViewKind
        let length: Int
        let openStart: Bool
        let openEnd: Bool
        let runs: [UInt16]
        /// A phrase with its spaces taken out, for the joined view: matches only letters that were spelled out
        /// ("c a r p e t m u n c h e r" has no gap to tell the words apart).
        var spelledOnly = false
    }

    enum LiteralUse: Sendable {
        case pattern(Int)
        case keyword(KeywordUse)
    }

    public let rules: [CompiledRule]
    let patterns: [Pattern]
    let scanner: LiteralScanner
    let literalUses: [[LiteralUse]]
    /// The scanner's literals, for hits that must be exact (`ViewKind.readsIAsL`).
    let literals: [[UInt8]]
    /// Keywords as written, indexed by `KeywordUse.keyword`.
    let keywordTexts: [String]
    let alwaysRunPatterns: [Int]
    /// Views to build for each message.
    public let views: ViewSet
    /// Views the literal scanner runs over.
    let scanViews: [ViewKind]
    public let spamRules: [SpamRule]
    public let attachmentRules: [AttachmentRule]
    /// The detectors whose counts each message reads, in table order: every windowed one (see `init`) and the
    /// per-message ones `spamRules` use.
    public let spamDetectors: [SpamDetector]
    /// The count readers of `spamDetectors`.
    let spamReaders: [SpamCountReader]
    public let aiRules: [CompiledRule]
    /// Rules left out because they did not compile (packs are validated earlier; this catches stored rules).
    public let issues: [RuleIssue]

    public init(rules sources: [RuleSource], normalizer: Normalizer = Normalizer()) {
        // The lookalike tables are built once per process; build them here rather than on a message's path.
        _ = Confusables.table.isEmpty && Confusables.beforeFolding.isEmpty
        var rules: [CompiledRule] = []
        var issues: [RuleIssue] = []
        var aiRules: [CompiledRule] = []
        var builder = RuleSetBuilder(normalizer: normalizer)

        for source in sources where source.definition.enabled {
            let definition = source.definition
            let problems = RuleValidator.problems(in: definition, file: "rule \(source.id.map(String.init) ?? definition.name)")
            if !problems.isEmpty { issues.append(contentsOf: problems); continue }
            let index = rules.count
            builder.rulePatterns = []
            definition.config.compile(RuleSetBuilder.Rule(index: index, views: definition.effectiveViews), into: &builder)
            let rule = CompiledRule(index: index, id: source.id, definition: definition, patternIndices: builder.rulePatterns)
            rules.append(rule)
            if builder.modelRules.contains(index) { aiRules.append(rule) }
        }

        let patterns = builder.patterns
        let spamRules = builder.spamRules
        self.rules = rules
        self.patterns = patterns
        // "i" and "l" are one letter to the keyword scan of the skeleton views (see `ViewKind.readsIAsL`).
        self.scanner = LiteralScanner(literals: builder.literals, alike: [[0x69, 0x6C]])
        self.literals = builder.literals
        self.literalUses = builder.uses
        self.keywordTexts = builder.keywordTexts
        self.alwaysRunPatterns = patterns.indices.filter { patterns[$0].alwaysRun }
        self.views = builder.views.closedOverParents
        self.scanViews = builder.scanViews.kinds
        self.spamRules = spamRules
        self.attachmentRules = builder.attachmentRules
        // Every windowed count is read and kept while the guild has any spam rule, used or not, so a rule
        // added later finds a full window of history; per-message counts only for the detectors in use.
        self.spamDetectors = spamRules.isEmpty ? [] : SpamDetector.allCases.filter { detector in
            if case .summed = detector.spec.measure { return true }
            return spamRules.contains { $0.detector == detector }
        }
        self.spamReaders = SpamCountReader.of(self.spamDetectors)
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
