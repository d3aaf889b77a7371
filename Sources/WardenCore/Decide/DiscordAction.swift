import Foundation

/// An action for the bot, in Discord API terms: the fields map onto the REST calls it makes
/// (DELETE message, PATCH member `communication_disabled_until`, PUT ban `delete_message_seconds`, ...).
public struct DiscordAction: Codable, Sendable, Equatable {
    /// A Discord action type, as the bot reads it. The message deletion and the moderators' alert are
    /// here; each action kind declares its own punishment and reversal types in its file (`Actions/Kinds/`).
    public struct Kind: RawRepresentable, Hashable, Sendable, Codable, CaseIterable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// DELETE the message (`channel_id`, `message_id`).
        public static let deleteMessage = Kind(rawValue: "delete_message")
        /// A message for the moderators' channel (`content`).
        public static let alert = Kind(rawValue: "alert")
        /// PUT the guild's incident actions (`invites_disabled_until`, `dms_disabled_until`): a raid lockdown.
        public static let incidentActions = Kind(rawValue: "incident_actions")
        /// PUT guild member role `role_id` (a moderator's role mute, with the guild's `mute_role_id`).
        public static let addRole = Kind(rawValue: "add_role")
        /// DELETE guild member role `role_id` (a role mute lifted or ended).
        public static let removeRole = Kind(rawValue: "remove_role")
        /// Discord actions no rule action kind emits: raids' and moderators' own.
        public static let notOfRules: [Kind] = [.incidentActions, .addRole, .removeRole]

        /// Every type a decision or a reversal can hold (`ActionKinds.discordTypes`).
        public static var allCases: [Kind] { ActionKinds.discordTypes }

        public var description: String { rawValue }

        /// Refuses a type no registered kind emits, as the closed enum did, so a corrupt stored decision
        /// is reported rather than replayed.
        public init(from decoder: any Decoder) throws {
            let name = try decoder.singleValueContainer().decode(String.self)
            guard Self.allCases.contains(Kind(rawValue: name)) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                        debugDescription: "unknown Discord action type '\(name)'"))
            }
            self.init(rawValue: name)
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            try c.encode(rawValue)
        }
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
    /// `set_nickname`: the member's new nickname.
    public var nick: String?
    /// `add_role`, `remove_role`: the role.
    public var roleID: Snowflake?
    /// `incident_actions`: PUT guild incident actions (Discord's raid lockdown), each an ISO 8601 end at most
    /// 24 hours ahead.
    public var invitesDisabledUntil: String?
    public var dmsDisabledUntil: String?

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
        case deleteMessageSeconds = "delete_message_seconds", reason, content, nick, roleID = "role_id"
        case invitesDisabledUntil = "invites_disabled_until", dmsDisabledUntil = "dms_disabled_until"
    }
}
