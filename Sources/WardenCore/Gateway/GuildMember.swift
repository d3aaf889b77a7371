import Foundation

/// A `GUILD_MEMBER_ADD` or `GUILD_MEMBER_UPDATE` dispatch's `d`: the member, their user and their names.
/// Unknown fields are ignored.
public struct GuildMember: Decodable, Sendable, Equatable {
    public struct User: Decodable, Sendable, Equatable {
        public var id: Snowflake
        public var username: String?
        public var globalName: String?
        public var bot: Bool?
        enum CodingKeys: String, CodingKey { case id, username, globalName = "global_name", bot }
        public init(id: Snowflake, username: String? = nil, globalName: String? = nil, bot: Bool? = nil) {
            self.id = id; self.username = username; self.globalName = globalName; self.bot = bot
        }
    }

    public var guildID: Snowflake
    public var user: User
    public var nick: String?
    public var roles: [Snowflake]
    /// When the member joined, exactly as Discord wrote it (a join's identity).
    public var joinedAt: String?

    enum CodingKeys: String, CodingKey { case guildID = "guild_id", user, nick, roles, joinedAt = "joined_at" }

    public init(guildID: Snowflake, user: User, nick: String? = nil, roles: [Snowflake] = [], joinedAt: String? = nil) {
        self.guildID = guildID; self.user = user; self.nick = nick; self.roles = roles; self.joinedAt = joinedAt
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guildID = try c.decode(Snowflake.self, forKey: .guildID)
        user = try c.decode(User.self, forKey: .user)
        nick = try c.decodeIfPresent(String.self, forKey: .nick)
        roles = try c.decodeIfPresent([Snowflake].self, forKey: .roles) ?? []
        if let stamp = try c.decodeIfPresent(String.self, forKey: .joinedAt) {
            guard DiscordTimestamp.parse(stamp) != nil else {
                throw DecodingError.dataCorruptedError(forKey: .joinedAt, in: c, debugDescription: "not an ISO 8601 timestamp: \"\(stamp.prefix(40))\"")
            }
            joinedAt = stamp
        }
    }

    /// The names a profile rule reads, by field: `username`, `global_name`, `nick` (those the member has).
    public var names: [(field: ProfileField, text: String)] {
        var out: [(ProfileField, String)] = []
        if let name = user.username, !name.isEmpty { out.append((.username, name)) }
        if let name = user.globalName, !name.isEmpty { out.append((.globalName, name)) }
        if let name = nick, !name.isEmpty { out.append((.nick, name)) }
        return out
    }

    /// When the account was made (from its id).
    public var accountCreated: Date { user.id.createdAt }

    /// The join's time: Discord's `joined_at`, else `fallback`.
    public func joined(or fallback: Date) -> Date { joinedAt.flatMap(DiscordTimestamp.parse) ?? fallback }
}

/// A name of a member a profile rule can read.
public enum ProfileField: String, Sendable, Codable, CaseIterable {
    case username, globalName = "global_name", nick
}
