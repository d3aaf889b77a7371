import Foundation

/// An action for the bot, in Discord API terms: the fields map onto the REST calls it makes
/// (DELETE message, PATCH member `communication_disabled_until`, PUT ban `delete_message_seconds`, ...).
public struct DiscordAction: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case deleteMessage = "delete_message", warn, timeout, kick, ban, alert
        /// Reversals, sent when a moderator upholds an appeal: PATCH member `communication_disabled_until: null`
        /// (`user_id`), and DELETE the guild ban (`user_id`).
        case removeTimeout = "remove_timeout", unban
    }

    public var type: Kind
    public var channelID: Snowflake?
    public var messageID: Snowflake?
    public var userID: Snowflake?
    /// Timeout end as ISO 8601, as Discord's member field takes it.
    public var communicationDisabledUntil: String?
    public var durationSeconds: Int?
    public var deleteMessageSeconds: Int?
    public var reason: String?
    /// Alerts: the text for the moderators' channel.
    public var content: String?

    public init(type: Kind, channelID: Snowflake? = nil, messageID: Snowflake? = nil, userID: Snowflake? = nil,
                communicationDisabledUntil: String? = nil, durationSeconds: Int? = nil, deleteMessageSeconds: Int? = nil,
                reason: String? = nil, content: String? = nil) {
        self.type = type; self.channelID = channelID; self.messageID = messageID; self.userID = userID
        self.communicationDisabledUntil = communicationDisabledUntil; self.durationSeconds = durationSeconds
        self.deleteMessageSeconds = deleteMessageSeconds; self.reason = reason; self.content = content
    }

    enum CodingKeys: String, CodingKey {
        case type, channelID = "channel_id", messageID = "message_id", userID = "user_id"
        case communicationDisabledUntil = "communication_disabled_until", durationSeconds = "duration_seconds"
        case deleteMessageSeconds = "delete_message_seconds", reason, content
    }
}
