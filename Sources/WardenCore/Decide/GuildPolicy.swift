/// A guild's automod settings (from `bot_settings`, scope `automod`): the escalation ladder, where alerts
/// go, and who and where is exempt from every rule.
public struct GuildPolicy: Sendable, Equatable {
    public var ladder: EscalationLadder
    public var modChannelID: Snowflake?
    public var exemptRoles: Set<Snowflake>
    public var exemptChannels: Set<Snowflake>

    public init(ladder: EscalationLadder = .standard, modChannelID: Snowflake? = nil,
                exemptRoles: Set<Snowflake> = [], exemptChannels: Set<Snowflake> = []) {
        self.ladder = ladder; self.modChannelID = modChannelID; self.exemptRoles = exemptRoles; self.exemptChannels = exemptChannels
    }

    /// The `bot_settings` keys (scope `automod`) this policy reads.
    public enum Key: String, CaseIterable, Sendable {
        case escalationLadder = "escalation_ladder", modChannelID = "mod_channel_id"
        case exemptRoles = "exempt_roles", exemptChannels = "exempt_channels"
    }
    public static let scope = "automod"
}
