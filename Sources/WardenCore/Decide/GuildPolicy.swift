/// A guild's automod settings (from `bot_settings`, scope `automod`): the escalation ladder, where alerts
/// go, and who and where is exempt from every rule.
public struct GuildPolicy: Sendable, Equatable {
    public var ladder: EscalationLadder
    public var modChannelID: Snowflake?
    public var exemptRoles: Set<Snowflake>
    public var exemptChannels: Set<Snowflake>
    /// How long the bot may wait for the LLM stage before the decision goes out with the verdict pending.
    public var llmDeadlineMillis: Int
    /// What happens to a message the LLM could not judge because the provider failed.
    public var llmOnOutage: LLMOutagePolicy
    /// How many days after an automod action its member may appeal it (1-365).
    public var appealWindowDays: Int
    /// Escalation points a hit of Discord's native AutoMod adds (0, the default: recorded, not counted).
    public var discordAutomodPoints: Double
    /// Raid protection for joins.
    public var raid: RaidPolicy
    /// The role a moderator's `mute` gives (Discord's own timeout is `timeout`); nil: manual mutes are refused.
    public var muteRoleID: Snowflake?
    /// Escalation points a moderator's warning adds (0, the default: recorded, not counted).
    public var manualWarningPoints: Double
    /// Days the automod logs' and cases' text is kept (then redacted; counts stay); nil keeps it.
    public var logRetentionDays: Int?

    public static let defaultLLMDeadlineMillis = 1_500
    public static let defaultAppealWindowDays = 14

    public init(ladder: EscalationLadder = .standard, modChannelID: Snowflake? = nil,
                exemptRoles: Set<Snowflake> = [], exemptChannels: Set<Snowflake> = [],
                llmDeadlineMillis: Int = GuildPolicy.defaultLLMDeadlineMillis, llmOnOutage: LLMOutagePolicy = .failOpen,
                appealWindowDays: Int = GuildPolicy.defaultAppealWindowDays, discordAutomodPoints: Double = 0,
                raid: RaidPolicy = .standard, muteRoleID: Snowflake? = nil, manualWarningPoints: Double = 0,
                logRetentionDays: Int? = nil) {
        self.ladder = ladder; self.modChannelID = modChannelID; self.exemptRoles = exemptRoles; self.exemptChannels = exemptChannels
        self.llmDeadlineMillis = llmDeadlineMillis; self.llmOnOutage = llmOnOutage; self.appealWindowDays = appealWindowDays
        self.discordAutomodPoints = discordAutomodPoints; self.raid = raid
        self.muteRoleID = muteRoleID; self.manualWarningPoints = manualWarningPoints; self.logRetentionDays = logRetentionDays
    }

    /// The `bot_settings` keys (scope `automod`) this policy reads.
    public enum Key: String, CaseIterable, Sendable {
        case escalationLadder = "escalation_ladder", modChannelID = "mod_channel_id"
        case exemptRoles = "exempt_roles", exemptChannels = "exempt_channels"
        case llmDeadlineMillis = "llm_deadline_ms", llmOnOutage = "llm_on_outage"
        case appealWindowDays = "appeal_window_days"
        case discordAutomodPoints = "discord_automod_points"
        case raidProtection = "raid_protection"
        case muteRoleID = "mute_role_id", manualWarningPoints = "manual_warning_points"
        case logRetentionDays = "log_retention_days"
    }
    public static let scope = "automod"
}

/// A guild's choice for messages the LLM could not judge during a provider outage.
public enum LLMOutagePolicy: String, Sendable, Codable, CaseIterable {
    /// Allow the message; the decision says it was not moderated by the LLM.
    case failOpen = "fail_open"
    /// Alert moderators to review the message by hand.
    case failToReview = "fail_to_review"
}
