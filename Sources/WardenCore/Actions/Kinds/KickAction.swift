import Foundation

extension RuleAction.Kind {
    /// Remove the member from the guild (they may rejoin with an invite).
    public static let kick = RuleAction.Kind(registered: "kick")
}

extension DiscordAction.Kind {
    /// DELETE guild member.
    public static let kick = DiscordAction.Kind(rawValue: "kick")
}

/// `kick`: cannot be undone by the bot (the member rejoins by invite).
public enum KickAction: ActionKind {
    public static let name = RuleAction.Kind.kick
    public static let rank = 3
    public static var discordType: DiscordAction.Kind? { .kick }
}
