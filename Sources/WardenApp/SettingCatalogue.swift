import WardenCore
import WardenPipeline
import WardenSupport

/// Every setting Warden reads, with an example value and what it does: the console lists them beside its
/// settings form, and warns when a value is saved under a key Warden does not read.
public enum SettingCatalogue {
    public struct Entry: Sendable, Equatable {
        public let scope: String
        public let key: String
        public let example: String
        public let about: String
    }

    public static let entries: [Entry] = [
        Entry(scope: GuildPolicy.scope, key: "escalation_ladder",
              example: #"{"steps":[{"points":3,"action":{"type":"timeout","duration_seconds":600,"severity":3}}],"half_life_hours":72}"#,
              about: "Points at which repeat offenders get a stronger action; points halve every half_life_hours."),
        Entry(scope: GuildPolicy.scope, key: "mod_channel_id", example: #""123456789012345678""#, about: "Where alerts for moderators go."),
        Entry(scope: GuildPolicy.scope, key: "exempt_roles", example: #"["111","222"]"#, about: "Roles whose messages are not judged."),
        Entry(scope: GuildPolicy.scope, key: "exempt_channels", example: #"["333"]"#, about: "Channels whose messages are not judged."),
        Entry(scope: GuildPolicy.scope, key: "llm_deadline_ms", example: "1500", about: "How long a message waits for the LLM stage before its verdict follows later."),
        Entry(scope: GuildPolicy.scope, key: "llm_on_outage", example: #""fail_open""#, about: "fail_open or fail_to_review when the LLM provider is down."),
        Entry(scope: GuildPolicy.scope, key: "appeal_window_days", example: "14", about: "How long a member may appeal an automod action (1-365)."),
        Entry(scope: GuildPolicy.scope, key: "discord_automod_points", example: "1", about: "Escalation points a hit of Discord's own AutoMod adds (0-100; 0, the default, records it without counting it)."),
        Entry(scope: GuildPolicy.scope, key: "raid_protection", example: #"{"joins":10,"window_seconds":10,"action":{"type":"kick"}}"#, about: "When joins per window (all, young accounts, near-identical names) put the guild in raid mode, what joiners get, how long invites and DMs pause."),
        Entry(scope: GuildPolicy.scope, key: "mute_role_id", example: #""444""#, about: "The role a moderator's mute gives (Discord's own timeout is timeout); without it manual mutes are refused."),
        Entry(scope: GuildPolicy.scope, key: "manual_warning_points", example: "1", about: "Escalation points a moderator's warning adds (0-100; 0, the default, records it without counting it)."),
        Entry(scope: GuildPolicy.scope, key: "log_retention_days", example: "180", about: "Days automod logs and cases keep their text (1-3650, never less than the appeal window); then it is removed and the counts stay. Unset: kept."),
        Entry(scope: QuotaGate.settingsScope, key: QuotaGate.settingsKey, example: #"{"free":10,"monthly":50}"#,
              about: "Daily LLM calls per member by tier, overriding the defaults (free 5, monthly 25)."),
        Entry(scope: QuotaGate.settingsScope, key: QuotaGate.guildLimitKey, example: "200", about: "Daily LLM calls Warden makes for the guild itself (appeal triage); null is unlimited."),
        Entry(scope: SupportSettings.scope, key: "faq_threshold", example: "3", about: "Tickets on one problem before an FAQ proposal is drafted."),
        Entry(scope: SupportSettings.scope, key: "proposal_ttl_days", example: "28", about: "Days a pending FAQ proposal waits before it expires."),
        Entry(scope: SupportSettings.scope, key: "verification", example: #"{"merchants":["Ko-fi"],"prices":[{"amount":5,"currency":"USD"}],"window_days":30}"#,
              about: "What a payment screenshot must show to verify a member."),
    ]

    /// Whether Warden reads `scope.key`.
    public static func knows(scope: String, key: String) -> Bool { entries.contains { $0.scope == scope && $0.key == key } }
}
