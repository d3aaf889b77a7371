import Foundation

extension RuleAction.Kind {
    /// Ban the member, deleting up to `delete_message_seconds` (7 days at most) of their messages.
    public static let ban = RuleAction.Kind(registered: "ban")
}

extension DiscordAction.Kind {
    /// PUT guild ban with `delete_message_seconds`.
    public static let ban = DiscordAction.Kind(rawValue: "ban")
    /// An upheld appeal's reversal: DELETE the guild ban (`user_id`).
    public static let unban = DiscordAction.Kind(rawValue: "unban")
}

/// `ban`: the strongest kind, lifted by an upheld appeal.
public enum BanAction: ActionKind {
    public static let name = RuleAction.Kind.ban
    public static let rank = 4
    public static var takesDeleteMessageSeconds: Bool { true }
    public static var endsByItself: Bool { true }
    public static var discordType: DiscordAction.Kind? { .ban }
    public static var reversalType: DiscordAction.Kind? { .unban }

    public static func discordAction(_ action: RuleAction, against member: Snowflake, reason: String, now: Date) -> DiscordAction? {
        // With a duration, a temporary ban: Warden asks for the unban at its end (`temp_punishments`).
        DiscordAction(type: .ban, userID: member, durationSeconds: action.durationSeconds, deleteMessageSeconds: action.deleteMessageSeconds ?? 0, reason: reason)
    }
}
