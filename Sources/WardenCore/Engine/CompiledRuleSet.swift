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
        /// One bit per requirement (a set of literals one of which must occur in the view; see
        /// `RequiredLiterals.requirements`): the pattern runs on a view that holds them all.
        let requirements: UInt64
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
        /// Collapsed view only: the keyword's run lengths, a range of `LiteralTable.runs`.
        let runs: Range<Int>
        /// A phrase with its spaces taken out, for the joined view: matches only letters that were spelled out
        /// ("c a r p e t m u n c h e r" has no gap to tell the words apart).
        var spelledOnly = false
    }

    enum LiteralUse: Sendable {
        /// A literal of pattern `index`'s requirement `requirement`.
        case pattern(Int, requirement: Int)
        case keyword(KeywordUse)
    }

    /// What the literal scan needs per hit, in flat arrays of plain values: a hit reads them through
    /// `withBuffers` without touching a reference count (one per message, not one per hit).
    struct LiteralTable: Sendable {
        /// `uses[useStarts[l]..<useStarts[l + 1]]` are literal `l`'s uses.
        let useStarts: [Int32]
        let uses: [LiteralUse]
        /// `bytes[byteStarts[l]..<byteStarts[l + 1]]` is literal `l`, for hits that must be exact.
        let byteStarts: [Int32]
        let bytes: [UInt8]
        /// Run lengths of collapsed-view keywords (`KeywordUse.runs`).
        let runs: [UInt16]

        init(literals: [[UInt8]], uses perLiteral: [[LiteralUse]], runs: [UInt16]) {
            var useStarts: [Int32] = [0], uses: [LiteralUse] = []
            for list in perLiteral { uses.append(contentsOf: list); useStarts.append(Int32(uses.count)) }
            var byteStarts: [Int32] = [0], bytes: [UInt8] = []
            for literal in literals { bytes.append(contentsOf: literal); byteStarts.append(Int32(bytes.count)) }
            self.useStarts = useStarts; self.uses = uses; self.byteStarts = byteStarts; self.bytes = bytes; self.runs = runs
        }

        struct Buffers {
            let useStarts: UnsafeBufferPointer<Int32>
            let allUses: UnsafeBufferPointer<LiteralUse>
            let byteStarts: UnsafeBufferPointer<Int32>
            let allBytes: UnsafeBufferPointer<UInt8>
            let allRuns: UnsafeBufferPointer<UInt16>

            @inline(__always) func uses(of literal: Int) -> UnsafeBufferPointer<LiteralUse> {
                UnsafeBufferPointer(rebasing: allUses[Int(useStarts[literal])..<Int(useStarts[literal + 1])])
            }
            @inline(__always) func bytes(of literal: Int) -> UnsafeBufferPointer<UInt8> {
                UnsafeBufferPointer(rebasing: allBytes[Int(byteStarts[literal])..<Int(byteStarts[literal + 1])])
            }
            @inline(__always) func runs(_ range: Range<Int>) -> UnsafeBufferPointer<UInt16> {
                UnsafeBufferPointer(rebasing: allRuns[range])
            }
        }

        func withBuffers<R>(_ body: (Buffers) -> R) -> R {
            useStarts.withUnsafeBufferPointer { useStarts in
                uses.withUnsafeBufferPointer { uses in
                    byteStarts.withUnsafeBufferPointer { byteStarts in
                        bytes.withUnsafeBufferPointer { bytes in
                            runs.withUnsafeBufferPointer { runs in
                                body(Buffers(useStarts: useStarts, allUses: uses, byteStarts: byteStarts, allBytes: bytes, allRuns: runs))
                            }
                        }
                    }
                }
            }
        }
    }

    public let rules: [CompiledRule]
    let patterns: [Pattern]
    let scanner: LiteralScanner
    /// The uses, bytes and run lengths of the scanner's literals.
    let literalTable: LiteralTable
    /// Keywords as written, indexed by `KeywordUse.keyword`.
    let keywordTexts: [String]
    let alwaysRunPatterns: [Int]
    /// `Pattern.requirements` of each pattern, apart, so the scan's candidates are checked without
    /// touching the patterns.
    let patternRequirements: [UInt64]
    /// Views to build for each message.
    public let views: ViewSet
    /// Views the literal scanner runs over.
    let scanViews: [ViewKind]
    public let spamRules: [SpamRule]
    public let attachmentRules: [AttachmentRule]
    /// Checks of members' names and account age (`profile` rules).
    public let profileRules: [ProfileRule]
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
        _ = (Confusables.table.isEmpty, Confusables.beforeFolding.isEmpty, Confusables.inWord.isEmpty)
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
        self.literalTable = LiteralTable(literals: builder.literals, uses: builder.uses, runs: builder.keywordRuns)
        self.keywordTexts = builder.keywordTexts
        self.alwaysRunPatterns = patterns.indices.filter { patterns[$0].alwaysRun }
        self.patternRequirements = patterns.map(\.requirements)
        self.views = builder.views.closedOverParents
        self.scanViews = builder.scanViews.kinds
        self.spamRules = spamRules
        self.attachmentRules = builder.attachmentRules
        self.profileRules = builder.profileRules
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
