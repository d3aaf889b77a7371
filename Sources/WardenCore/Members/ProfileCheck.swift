import Foundation

/// Judges a member's names and account age against the guild's `profile` rules (pure: no store, no clock of
/// its own). Each name is normalized into the views the rule reads and scanned like a message's text.
public struct ProfileCheck: Sendable {
    public let normalizer: Normalizer
    let content = ContentStage()

    public init(normalizer: Normalizer = Normalizer()) { self.normalizer = normalizer }

    /// The profile rules `member` breaks at `now`: at most one match per rule (its first name that matches).
    public func evaluate(_ member: GuildMember, rules: CompiledRuleSet, now: Date, scratch: RegexScratch = .current) -> [RuleMatch] {
        guard member.user.bot != true else { return [] }
        var matches: [RuleMatch] = []
        let ageDays = max(0, now.timeIntervalSince(member.accountCreated)) / 86_400
        for profile in rules.profileRules {
            let rule = rules.rules[profile.id]
            guard !rule.isDisabled, rule.appliesToMember(roles: member.roles) else { continue }
            if let limit = profile.maxAccountAgeDays, ageDays >= limit { continue }
            guard let names = profile.names else {
                // The age gate alone.
                let limit = profile.maxAccountAgeDays ?? 0
                matches.append(RuleMatch(rule: rule.name, ruleID: rule.id, type: .profile, stage: .content,
                                         evidence: Evidence(detector: "account_age_days", observed: Int(ageDays), threshold: Int(limit.rounded(.up)), source: "profile"),
                                         action: rule.definition.effectiveAction))
                continue
            }
            for (field, text) in member.names where profile.fields.contains(field) {
                let normalized = normalizer.normalize(text, views: names.views)
                let found = content.evaluateEveryReading(normalized, channel: Snowflake(0), roles: [], rules: names, scratch: scratch)
                guard var evidence = found.matches.first?.evidence else { continue }
                evidence.source = "profile"
                evidence.field = field.rawValue
                matches.append(RuleMatch(rule: rule.name, ruleID: rule.id, type: .profile, stage: .content, evidence: evidence,
                                         action: rule.definition.effectiveAction))
                break
            }
        }
        return matches
    }
}

extension CompiledRule {
    /// Whether a member rule applies to a member with `roles` (channels do not apply to members).
    func appliesToMember(roles: [Snowflake]) -> Bool {
        exemptRoles.isEmpty || !roles.contains(where: exemptRoles.contains)
    }
}
