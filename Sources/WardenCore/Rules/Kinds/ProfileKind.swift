import Foundation

extension RuleType {
    /// Members' names and account age, checked when they join and whenever their profile changes.
    public static let profile = RuleType(registered: "profile")
}

/// `profile`: keywords (with an allow list) and PCRE2 patterns over a member's `username`, `global_name` and
/// `nick` (`fields`, all three by default), on the same normalized views as messages, so a lookalike
/// "Dіscord Staff" or an invite link in a name is found like one in a message; and `max_account_age_days`,
/// the account-age gate: with words or patterns, the rule matches only accounts younger than that; alone, it
/// matches every account younger than that. Checked on `GUILD_MEMBER_ADD` and `GUILD_MEMBER_UPDATE`.
public struct ProfileKind: RuleKind {
    public static let type = RuleType.profile
    public static var defaultViews: [ViewKind] { [.skeleton, .leet, .collapsed, .joined] }

    public var keywords: [String]?
    public var allow: [String]?
    public var patterns: [String]?
    public var fields: [ProfileField]?
    public var maxAccountAgeDays: Double?

    public init() {}

    enum CodingKeys: String, CodingKey { case keywords, allow, patterns, fields, maxAccountAgeDays = "max_account_age_days" }

    public func problems() -> [RuleKindProblem] {
        var out: [RuleKindProblem] = []
        if (keywords ?? []).isEmpty, (patterns ?? []).isEmpty, maxAccountAgeDays == nil {
            out.append(.init("keywords", "a profile rule needs keywords, patterns or max_account_age_days"))
        }
        for (i, keyword) in (keywords ?? []).enumerated() {
            if let problem = KeywordPattern.problem(keyword) { out.append(.init("keywords[\(i)]", problem)) }
        }
        for (i, keyword) in (allow ?? []).enumerated() {
            if let problem = KeywordPattern.problem(keyword) { out.append(.init("allow[\(i)]", problem)) }
        }
        for (i, pattern) in (patterns ?? []).enumerated() {
            do { _ = try RegexPattern(pattern) } catch {
                out.append(.init("patterns[\(i)]", "\(error.message) at offset \(error.offset)", offset: error.offset))
            }
        }
        if let fields, fields.isEmpty { out.append(.init("fields", "name at least one of username, global_name, nick (or leave fields out for all three)")) }
        if let days = maxAccountAgeDays, !(days > 0 && days <= 3650) {
            out.append(.init("max_account_age_days", "must be more than 0 and at most 3650 days"))
        }
        return out
    }

    public func compile(_ rule: RuleSetBuilder.Rule, into builder: inout RuleSetBuilder) {
        // The names are judged by a small rule set of their own: a content rule for the words, a regex rule
        // for the patterns, on the rule's views. Messages never run them.
        var sources: [RuleSource] = []
        if let keywords, !keywords.isEmpty {
            var words = RuleDefinition(name: "keywords", config: ContentKind(keywords: keywords, allow: allow))
            words.views = rule.views
            sources.append(RuleSource(id: nil, definition: words))
        }
        if let patterns, !patterns.isEmpty {
            var regex = RuleDefinition(name: "patterns", config: RegexKind(patterns: patterns))
            regex.views = rule.views
            sources.append(RuleSource(id: nil, definition: regex))
        }
        builder.addProfileRule(ProfileRule(id: rule.index, fields: Set(fields ?? ProfileField.allCases),
                                           maxAccountAgeDays: maxAccountAgeDays,
                                           names: sources.isEmpty ? nil : CompiledRuleSet(rules: sources, normalizer: builder.normalizer)))
    }

    public var size: RuleSize { RuleSize(keywords: (keywords?.count ?? 0) + (allow?.count ?? 0), patterns: patterns?.count ?? 0) }
}

/// One compiled `profile` rule.
public struct ProfileRule: Sendable {
    /// The rule's index in the guild's rule set.
    public let id: Int
    public let fields: Set<ProfileField>
    public let maxAccountAgeDays: Double?
    /// The words and patterns, compiled; nil for an age gate alone.
    public let names: CompiledRuleSet?
}
