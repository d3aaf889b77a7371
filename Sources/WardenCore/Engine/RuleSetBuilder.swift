/// A guild's rule set while it is compiled: what the rule kinds add (`RuleKind.compile`) before
/// `CompiledRuleSet` freezes it. The engine's building blocks are here (regex patterns with their required
/// literals, keywords for the literal scan, spam rules, rules for the model); which a rule uses is its
/// kind's business.
public struct RuleSetBuilder {
    /// The rule being compiled, as a kind sees it.
    public struct Rule: Sendable {
        /// Position in the rule set (`CompiledRule.index`, `SpamRule.id`).
        public let index: Int
        /// The views the rule matches (its own or its kind's default).
        public let views: [ViewKind]
    }

    let normalizer: Normalizer
    var patterns: [CompiledRuleSet.Pattern] = []
    var literalIDs: [[UInt8]: Int] = [:]
    var literals: [[UInt8]] = []
    var uses: [[CompiledRuleSet.LiteralUse]] = []
    /// Keywords as written, for evidence; `KeywordUse.keyword` indexes it.
    var keywordTexts: [String] = []
    /// Run lengths of collapsed-view keywords, `KeywordUse.runs` ranges into it.
    var keywordRuns: [UInt16] = []
    var views = ViewSet()
    var scanViews = ViewSet()
    var spamRules: [SpamRule] = []
    var attachmentRules: [AttachmentRule] = []
    var profileRules: [ProfileRule] = []
    /// Rules the LLM stage consults, by index.
    var modelRules: Set<Int> = []
    /// Pattern indices of the rule being compiled.
    var rulePatterns: [Int] = []

    init(normalizer: Normalizer) { self.normalizer = normalizer }

    private mutating func literalID(_ bytes: [UInt8]) -> Int {
        if let id = literalIDs[bytes] { return id }
        literals.append(bytes); uses.append([])
        literalIDs[bytes] = literals.count - 1
        return literals.count - 1
    }

    /// Adds a regex pattern of `rule`. It runs on a view only when the view holds one literal of each of
    /// `requirements` (at most `RequiredLiterals.requirementLimit`; see `RequiredLiterals.requirements`), or always when that is nil.
    public mutating func addPattern(_ regex: RegexPattern, requirements: [Set<String>]?, for rule: Rule) {
        let p = patterns.count
        let required = Array((requirements ?? []).prefix(RequiredLiterals.requirementLimit))
        patterns.append(CompiledRuleSet.Pattern(regex: regex, rule: rule.index, alwaysRun: requirements == nil,
                                                requirements: (UInt64(1) << UInt64(required.count)) - 1))
        rulePatterns.append(p)
        for (r, literals) in required.enumerated() {
            for literal in literals { uses[literalID(Array(literal.utf8))].append(.pattern(p, requirement: r)) }
        }
    }

    /// Adds a keyword of `rule` (or, when `isAllow`, a word whose hits cancel the rule's keyword hits
    /// inside it) to the literal scan of `view`.
    public mutating func addKeyword(_ keyword: KeywordPattern, written: String, isAllow: Bool, view: ViewKind, for rule: Rule) {
        var form = normalizer.keywordForm(keyword.core, in: view)
        if view == .collapsed && form.runs.isEmpty { form.runs = Array(repeating: 1, count: form.bytes.count) }
        guard !form.bytes.isEmpty else { return }
        keywordTexts.append(written)
        let runs = keywordRuns.count..<(keywordRuns.count + form.runs.count)
        keywordRuns.append(contentsOf: form.runs)
        let use = CompiledRuleSet.KeywordUse(rule: rule.index, keyword: keywordTexts.count - 1, isAllow: isAllow, view: view,
                                             length: form.bytes.count, openStart: keyword.openStart, openEnd: keyword.openEnd,
                                             runs: runs)
        uses[literalID(form.bytes)].append(.keyword(use))
        if view == .joined, form.bytes.contains(0x20) {
            let bytes = form.bytes.filter { $0 != 0x20 }
            let spelled = CompiledRuleSet.KeywordUse(rule: use.rule, keyword: use.keyword, isAllow: isAllow, view: view, length: bytes.count,
                                                 openStart: use.openStart, openEnd: use.openEnd, runs: 0..<0, spelledOnly: true)
            uses[literalID(bytes)].append(.keyword(spelled))
        }
    }

    /// Builds `views` for every message and runs the literal scan over them.
    public mutating func scan(_ views: [ViewKind]) {
        self.views.formUnion(ViewSet(views))
        scanViews.formUnion(ViewSet(views))
    }

    /// Builds `views` for every message without scanning them (e.g. the links view, for link counts).
    public mutating func build(_ views: [ViewKind]) { self.views.formUnion(ViewSet(views)) }

    /// Adds a spam rule to the spam stage.
    public mutating func addSpamRule(_ rule: SpamRule) { spamRules.append(rule) }

    /// Adds a check of the message's attachments (run only for messages that have some).
    public mutating func addAttachmentRule(_ rule: AttachmentRule) { attachmentRules.append(rule) }

    /// Adds a check of members' names and account age (run on joins and profile changes, never on messages).
    public mutating func addProfileRule(_ rule: ProfileRule) { profileRules.append(rule) }

    /// Marks `rule` as one the LLM stage asks the model about (`CompiledRuleSet.aiRules`).
    public mutating func askModel(for rule: Rule) { modelRules.insert(rule.index) }
}
