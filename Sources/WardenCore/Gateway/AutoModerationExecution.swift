/// An `AUTO_MODERATION_ACTION_EXECUTION` dispatch's `d`: Discord's native AutoMod acted on a member. Discord
/// sends one per action of the rule (block, alert, timeout), so one hit may arrive several times; Warden
/// records the hit once (``hitKey``). `content` and `matched_content` are empty without the
/// MESSAGE_CONTENT intent.
public struct AutoModerationExecution: Decodable, Sendable, Equatable {
    /// Discord's AutoMod action types.
    public enum ActionType: Int, Sendable {
        case blockMessage = 1, sendAlertMessage = 2, timeout = 3, blockMemberInteraction = 4
    }
    public struct Action: Decodable, Sendable, Equatable {
        public struct Metadata: Decodable, Sendable, Equatable {
            public var durationSeconds: Int?
            public var channelID: Snowflake?
            enum CodingKeys: String, CodingKey { case durationSeconds = "duration_seconds", channelID = "channel_id" }
        }
        public var type: Int
        public var metadata: Metadata?
    }

    public var guildID: Snowflake
    public var action: Action
    public var ruleID: Snowflake
    /// Discord's trigger type (1 keyword, 3 spam, 4 keyword preset, 5 mention spam, 6 member profile).
    public var ruleTriggerType: Int
    public var userID: Snowflake
    public var channelID: Snowflake?
    /// The message that matched; absent when it was blocked (it was never posted).
    public var messageID: Snowflake?
    /// The alert Discord posted in the alert channel, when the rule sends one.
    public var alertSystemMessageID: Snowflake?
    public var content: String
    public var matchedKeyword: String?
    public var matchedContent: String?

    enum CodingKeys: String, CodingKey {
        case guildID = "guild_id", action, ruleID = "rule_id", ruleTriggerType = "rule_trigger_type", userID = "user_id"
        case channelID = "channel_id", messageID = "message_id", alertSystemMessageID = "alert_system_message_id"
        case content, matchedKeyword = "matched_keyword", matchedContent = "matched_content"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guildID = try c.decode(Snowflake.self, forKey: .guildID)
        action = try c.decode(Action.self, forKey: .action)
        ruleID = try c.decode(Snowflake.self, forKey: .ruleID)
        ruleTriggerType = try c.decode(Int.self, forKey: .ruleTriggerType)
        userID = try c.decode(Snowflake.self, forKey: .userID)
        channelID = try c.decodeIfPresent(Snowflake.self, forKey: .channelID)
        messageID = try c.decodeIfPresent(Snowflake.self, forKey: .messageID)
        alertSystemMessageID = try c.decodeIfPresent(Snowflake.self, forKey: .alertSystemMessageID)
        content = try c.decodeIfPresent(String.self, forKey: .content) ?? ""
        matchedKeyword = try c.decodeIfPresent(String.self, forKey: .matchedKeyword)
        matchedContent = try c.decodeIfPresent(String.self, forKey: .matchedContent)
    }

    /// The hit this execution belongs to, the same for each of its actions' dispatches: the rule and the
    /// message (or, for a blocked message that has no id, the member and what matched).
    public var hitKey: String {
        if let messageID { return "automod:\(ruleID):message:\(messageID)" }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325   // FNV-1a over what matched: the same text is the same hit
        for byte in "\(userID)\u{0}\(content)\u{0}\(matchedKeyword ?? "")\u{0}\(matchedContent ?? "")".utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return "automod:\(ruleID):member:\(userID):\(String(hash, radix: 16))"
    }

    /// Whether Discord removed the message (it was blocked before anyone saw it).
    public var blocked: Bool { ActionType(rawValue: action.type) == .blockMessage }
}
