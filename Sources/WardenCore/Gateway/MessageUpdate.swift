import Foundation

/// A `MESSAGE_UPDATE` dispatch's `d`: the message after an edit, or (older gateway versions, and
/// Discord's own link previews) only the fields that changed, such as `embeds`. Everything but the ids is
/// optional; ``message(author:channel:)`` fills what a partial update lacks from the message's first decision.
public struct MessageUpdate: Decodable, Sendable, Equatable {
    public var id: Snowflake
    public var guildID: Snowflake
    public var channelID: Snowflake?
    public var author: DiscordMessage.Author?
    public var member: DiscordMessage.Member?
    public var content: String?
    public var mentions: [DiscordMessage.UserRef]?
    public var mentionRoles: [Snowflake]?
    public var mentionEveryone: Bool?
    public var attachments: [DiscordMessage.Attachment]?
    public var embeds: [Embed]?
    public var stickerItems: [DiscordMessage.StickerItem]?
    /// When the message was first sent.
    public var timestamp: Date?
    /// When it was last edited, exactly as Discord wrote it (the edit's identity); nil when it never was.
    public var editedTimestamp: String?

    enum CodingKeys: String, CodingKey {
        case id, guildID = "guild_id", channelID = "channel_id", author, member, content, mentions
        case mentionRoles = "mention_roles", mentionEveryone = "mention_everyone", attachments, embeds, timestamp
        case editedTimestamp = "edited_timestamp", stickerItems = "sticker_items"
    }

    public init(id: Snowflake, guildID: Snowflake, channelID: Snowflake? = nil, author: DiscordMessage.Author? = nil,
                content: String? = nil, embeds: [Embed]? = nil, timestamp: Date? = nil, editedTimestamp: String? = nil) {
        self.id = id; self.guildID = guildID; self.channelID = channelID; self.author = author; self.content = content
        self.embeds = embeds; self.timestamp = timestamp; self.editedTimestamp = editedTimestamp
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Snowflake.self, forKey: .id)
        guard let guild = try c.decodeIfPresent(Snowflake.self, forKey: .guildID) else {
            throw DecodingError.keyNotFound(CodingKeys.guildID, .init(codingPath: c.codingPath,
                debugDescription: "guild_id is required: Warden judges guild messages, not direct messages"))
        }
        guildID = guild
        channelID = try c.decodeIfPresent(Snowflake.self, forKey: .channelID)
        author = try c.decodeIfPresent(DiscordMessage.Author.self, forKey: .author)
        member = try c.decodeIfPresent(DiscordMessage.Member.self, forKey: .member)
        content = try c.decodeIfPresent(String.self, forKey: .content)
        mentions = try c.decodeIfPresent([DiscordMessage.UserRef].self, forKey: .mentions)
        mentionRoles = try c.decodeIfPresent([Snowflake].self, forKey: .mentionRoles)
        mentionEveryone = try c.decodeIfPresent(Bool.self, forKey: .mentionEveryone)
        attachments = try c.decodeIfPresent([DiscordMessage.Attachment].self, forKey: .attachments)
        embeds = try c.decodeIfPresent([Embed].self, forKey: .embeds)
        stickerItems = try c.decodeIfPresent([DiscordMessage.StickerItem].self, forKey: .stickerItems)
        if let stamp = try c.decodeIfPresent(String.self, forKey: .timestamp) {
            guard let date = DiscordTimestamp.parse(stamp) else {
                throw DecodingError.dataCorruptedError(forKey: .timestamp, in: c, debugDescription: "not an ISO 8601 timestamp: \"\(stamp.prefix(40))\"")
            }
            timestamp = date
        }
        if let stamp = try c.decodeIfPresent(String.self, forKey: .editedTimestamp) {
            guard DiscordTimestamp.parse(stamp) != nil else {
                throw DecodingError.dataCorruptedError(forKey: .editedTimestamp, in: c, debugDescription: "not an ISO 8601 timestamp: \"\(stamp.prefix(40))\"")
            }
            editedTimestamp = stamp
        }
    }

    /// Whether the update is an edit of the text (Discord stamps `edited_timestamp` and sends the content).
    public var isEdit: Bool { editedTimestamp != nil && content != nil }

    /// The embeds' text (empty when the update carries none).
    public var embedText: String { Embed.text(of: embeds ?? []) }

    /// The message as it now reads, for the rules. `author` and `channel` come from the update, else from
    /// the message's earlier decision; the time is the message's own (the spam windows run on it), else
    /// the snowflake's.
    public func message(author fallbackAuthor: Snowflake?, channel fallbackChannel: Snowflake?) -> DiscordMessage? {
        guard let authorRef = author ?? fallbackAuthor.map({ DiscordMessage.Author(id: $0) }),
              let channel = channelID ?? fallbackChannel else { return nil }
        return DiscordMessage(id: id, guildID: guildID, channelID: channel, author: authorRef, member: member,
                              content: content ?? "", mentions: mentions ?? [], mentionRoles: mentionRoles ?? [],
                              mentionEveryone: mentionEveryone ?? false, attachments: attachments ?? [],
                              embedCount: embeds?.count ?? 0, stickerItems: stickerItems ?? [],
                              timestamp: timestamp ?? id.createdAt)
    }
}
