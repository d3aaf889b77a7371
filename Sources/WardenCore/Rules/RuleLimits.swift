import Foundation

/// How much of a rule's weight counts against its guild's ``RuleLimits``: keywords (and allow words),
/// regex patterns, and the bytes of the rule in its pack form, encoded as JSON (about what is stored).
public struct RuleSize: Sendable, Equatable {
    public var keywords: Int
    public var patterns: Int
    public var bytes: Int

    public init(keywords: Int = 0, patterns: Int = 0, bytes: Int = 0) {
        self.keywords = keywords; self.patterns = patterns; self.bytes = bytes
    }

    public static let zero = RuleSize()

    /// Saturating: a size past every limit stays past it instead of trapping.
    public static func + (a: RuleSize, b: RuleSize) -> RuleSize {
        func sum(_ x: Int, _ y: Int) -> Int { let (total, overflow) = x.addingReportingOverflow(y); return overflow ? .max : total }
        return RuleSize(keywords: sum(a.keywords, b.keywords), patterns: sum(a.patterns, b.patterns), bytes: sum(a.bytes, b.bytes))
    }

    /// The rule's size: its kind's keywords and patterns (``RuleKind/size``), and its JSON form's bytes.
    public static func of(_ rule: RuleDefinition) -> RuleSize {
        var size = rule.config.size
        // A rule that cannot be encoded cannot be stored either; counted as past any limit rather than as nothing.
        size.bytes = (try? JSONEncoder().encode(rule).count) ?? .max
        return size
    }
}

/// How much rule text one guild may hold. A guild's rules are compiled as one set, so these bound the time
/// and memory one guild's rebuild can take from the others. Checked when rules are written (a change past
/// a limit is refused, nothing stored) and again when a guild's rules are loaded (rules past a limit are
/// skipped and reported, in case rows were written some other way).
public struct RuleLimits: Sendable, Equatable {
    /// Keywords and allow words over all the guild's content rules.
    public var keywords: Int
    /// Regex patterns over all the guild's regex rules.
    public var patterns: Int
    /// Bytes of all the guild's rules in their pack form, encoded as JSON.
    public var bytes: Int

    public init(keywords: Int = 200_000, patterns: Int = 2_000, bytes: Int = 8 * 1024 * 1024) {
        self.keywords = keywords; self.patterns = patterns; self.bytes = bytes
    }

    /// 200,000 keywords, 2,000 patterns, 8 MiB.
    public static let standard = RuleLimits()

    /// Which limit a guild's rules pass, with the figures for the error.
    public struct Exceeded: Error, Sendable, Equatable, CustomStringConvertible {
        /// `keywords`, `patterns` or `bytes`.
        public var limit: String
        public var maximum: Int
        /// What the guild's rules would hold.
        public var total: Int

        public var description: String {
            let noun = limit == "bytes" ? "bytes of rule text" : limit
            return "the guild's rules would hold \(total) \(noun); at most \(maximum) per guild (\(limit) limit)"
        }
    }

    /// The first limit `size` passes, or nil when it is within all of them.
    public func exceeded(by size: RuleSize) -> Exceeded? {
        if size.keywords > keywords { return Exceeded(limit: "keywords", maximum: keywords, total: size.keywords) }
        if size.patterns > patterns { return Exceeded(limit: "patterns", maximum: patterns, total: size.patterns) }
        if size.bytes > bytes { return Exceeded(limit: "bytes", maximum: bytes, total: size.bytes) }
        return nil
    }

    /// The first limit the rules together pass, or nil.
    public func exceeded(by rules: [RuleDefinition]) -> Exceeded? {
        exceeded(by: rules.reduce(RuleSize.zero) { $0 + RuleSize.of($1) })
    }
}
