import WardenCore

/// Everything the pipeline needs to judge one guild's messages: its compiled rules and its policy.
public struct GuildContext: Sendable {
    public let guildID: Snowflake
    public let rules: CompiledRuleSet
    public let policy: GuildPolicy
    /// Stored rules that could not be compiled (reported, skipped).
    public var issues: [RuleIssue] { rules.issues }

    public init(guildID: Snowflake, rules: CompiledRuleSet, policy: GuildPolicy) {
        self.guildID = guildID; self.rules = rules; self.policy = policy
    }
}
