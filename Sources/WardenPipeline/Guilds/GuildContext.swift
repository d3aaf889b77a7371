import WardenCore

/// Everything the pipeline needs to judge one guild's messages: its compiled rules and its policy.
public struct GuildContext: Sendable {
    public let guildID: Snowflake
    public let rules: CompiledRuleSet
    public let policy: GuildPolicy
    /// Stored rules that could not be read or compiled (reported and skipped; the others run).
    public let issues: [RuleIssue]

    public init(guildID: Snowflake, rules: CompiledRuleSet, policy: GuildPolicy, loadIssues: [RuleIssue] = []) {
        self.guildID = guildID; self.rules = rules; self.policy = policy
        issues = loadIssues + rules.issues
    }
}
