import Foundation

extension RuleAction.Kind {
    /// Give the member a neutral nickname (for a profile rule: a name that impersonates staff or advertises).
    public static let nickname = RuleAction.Kind(registered: "nickname")
}

extension DiscordAction.Kind {
    /// PATCH guild member `nick` to `nick`.
    public static let setNickname = DiscordAction.Kind(rawValue: "set_nickname")
}

/// `nickname`: replaces the member's nickname with a neutral one ("Member 4242", from the id's last digits,
/// so moderators can still tell members apart). No message is removed and no points are added: a name is
/// not a message, and the member keeps access. Cannot be undone by the bot (their old name is not kept).
public enum NicknameAction: ActionKind {
    public static let name = RuleAction.Kind.nickname
    public static let rank = 0
    public static var deletesMessageByDefault: Bool { false }
    public static var addsPoints: Bool { false }
    public static var discordType: DiscordAction.Kind? { .setNickname }

    /// The neutral nickname for `member`.
    public static func neutralNickname(for member: Snowflake) -> String {
        "Member \(String(format: "%04d", member.rawValue % 10_000))"
    }

    public static func discordAction(_ action: RuleAction, against member: Snowflake, reason: String, now: Date) -> DiscordAction? {
        var out = DiscordAction(type: .setNickname, userID: member, reason: reason)
        out.nick = neutralNickname(for: member)
        return out
    }
}
