import Foundation

extension RuleAction.Kind {
    /// Time the member out for `duration` (default 10 minutes, at most Discord's 28 days).
    public static let timeout = RuleAction.Kind(registered: "timeout")
}

extension DiscordAction.Kind {
    /// PATCH member `communication_disabled_until`.
    public static let timeout = DiscordAction.Kind(rawValue: "timeout")
    /// An upheld appeal's reversal: PATCH member `communication_disabled_until: null` (`user_id`).
    public static let removeTimeout = DiscordAction.Kind(rawValue: "remove_timeout")
}

/// `timeout`: Discord's member timeout, lifted by an upheld appeal.
public enum TimeoutAction: ActionKind {
    public static let name = RuleAction.Kind.timeout
    public static let rank = 2
    public static var takesDuration: Bool { true }
    public static var discordType: DiscordAction.Kind? { .timeout }
    public static var reversalType: DiscordAction.Kind? { .removeTimeout }

    public static func discordAction(_ action: RuleAction, against member: Snowflake, reason: String, now: Date) -> DiscordAction? {
        let seconds = action.timeoutSeconds ?? RuleAction.defaultTimeoutSeconds
        return DiscordAction(type: .timeout, userID: member,
                             communicationDisabledUntil: DiscordTimestamp.format(now.addingTimeInterval(Double(seconds))),
                             durationSeconds: seconds, reason: reason)
    }
}
