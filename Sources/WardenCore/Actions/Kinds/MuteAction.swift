import Foundation

extension RuleAction.Kind {
    /// The older name of `timeout`, kept for packs that use it: the same Discord timeout.
    public static let mute = RuleAction.Kind(registered: "mute")
}

/// `mute`: a timeout by another name (Discord has no separate mute for members).
public enum MuteAction: ActionKind {
    public static let name = RuleAction.Kind.mute
    public static let rank = TimeoutAction.rank
    public static var takesDuration: Bool { true }
    public static var discordType: DiscordAction.Kind? { TimeoutAction.discordType }
    public static var reversalType: DiscordAction.Kind? { TimeoutAction.reversalType }

    public static func discordAction(_ action: RuleAction, against member: Snowflake, reason: String, now: Date) -> DiscordAction? {
        TimeoutAction.discordAction(action, against: member, reason: reason, now: now)
    }
}
