import Foundation

extension RuleAction.Kind {
    /// Warn the member (the bot's DM or reply); the message stays unless `delete_message` says otherwise.
    public static let warn = RuleAction.Kind(registered: "warn")
}

extension DiscordAction.Kind {
    /// The bot warns `user_id` with `reason`.
    public static let warn = DiscordAction.Kind(rawValue: "warn")
}

/// `warn`: a warning, which cannot be taken back.
public enum WarnAction: ActionKind {
    public static let name = RuleAction.Kind.warn
    public static let rank = 1
    public static var deletesMessageByDefault: Bool { false }
    public static var discordType: DiscordAction.Kind? { .warn }
}
