import Foundation

/// The subset of Discord's Message object that moderation needs. A bot can post `message.to_dict()` as it is;
/// unknown fields are ignored.
public struct DiscordMessage: Codable, Sendable, Equatable {
    public struct Author: Codable, Sendable, Equatable {
        public var id: Snowflake
        public var username: String?
        public var bot: Bool?
        public init(id: Snowflake, username: String? = nil, bot: Bool? = nil) {
            self.id = id; self.username = username; self.bot = bot
        }
    }
    public struct Member: Codable, Sendable, Equatable {
        public var roles: [Snowflake]
        public init(roles: [Snowflake]) { self.roles = roles }
    }
    public struct UserRef: Codable, Sendable, Equatable {
        public var id: Snowflake
        public init(id: Snowflake) { self.id = id }
    }
    public struct Attachment: Codable, Sendable, Equatable {
        public var id: Snowflake?
        public var filename: String?
        public var size: Int?
        public var contentType: String?
        enum CodingKeys: String, CodingKey { case id, filename, size, contentType = "content_type" }
        public init(id: Snowflake? = nil, filename: String? = nil, size: Int? = nil, contentType: String? = nil) {
            self.id = id; self.filename = filename; self.size = size; self.contentType = contentType
        }
    }

    /// One of Discord's `sticker_items` (a StickerItem: id, name, format_type 1 PNG, 2 APNG, 3 Lottie, 4 GIF).
    public struct StickerItem: Codable, Sendable, Equatable {
        public var id: Snowflake?
        public var name: String?
        public var formatType: Int?
        enum CodingKeys: String, CodingKey { case id, name, formatType = "format_type" }
        public init(id: Snowflake? = nil, name: String? = nil, formatType: Int? = nil) {
            self.id = id; self.name = name; self.formatType = formatType
        }
    }

    public var id: Snowflake
    public var guildID: Snowflake
    public var channelID: Snowflake
    public var author: Author
    public var member: Member?
    public var content: String
    public var mentions: [UserRef]
    public var mentionRoles: [Snowflake]
    public var mentionEveryone: Bool
    public var attachments: [Attachment]
    public var embedCount: Int
    /// The stickers sent with the message (Discord's `sticker_items`).
    public var stickerItems: [StickerItem]
    /// When Discord says the message was sent (ISO 8601). Spam windows run on this clock, so replays are deterministic.
    public var timestamp: Date

    enum CodingKeys: String, CodingKey {
        case id, guildID = "guild_id", channelID = "channel_id", author, member, content, mentions
        case mentionRoles = "mention_roles", mentionEveryone = "mention_everyone", attachments, embeds, timestamp
        case stickerItems = "sticker_items"
    }

    public init(
        id: Snowflake, guildID: Snowflake, channelID: Snowflake, author: Author, member: Member? = nil,
        content: String, mentions: [UserRef] = [], mentionRoles: [Snowflake] = [], mentionEveryone: Bool = false,
        attachments: [Attachment] = [], embedCount: Int = 0, stickerItems: [StickerItem] = [], timestamp: Date
    ) {
        self.id = id; self.guildID = guildID; self.channelID = channelID; self.author = author; self.member = member
        self.content = content; self.mentions = mentions; self.mentionRoles = mentionRoles
        self.mentionEveryone = mentionEveryone; self.attachments = attachments; self.embedCount = embedCount
        self.stickerItems = stickerItems; self.timestamp = timestamp
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Snowflake.self, forKey: .id)
        guildID = try c.decode(Snowflake.self, forKey: .guildID)
        channelID = try c.decode(Snowflake.self, forKey: .channelID)
        author = try c.decode(Author.self, forKey: .author)
        member = try c.decodeIfPresent(Member.self, forKey: .member)
        content = try c.decodeIfPresent(String.self, forKey: .content) ?? ""
        mentions = try c.decodeIfPresent([UserRef].self, forKey: .mentions) ?? []
        mentionRoles = try c.decodeIfPresent([Snowflake].self, forKey: .mentionRoles) ?? []
        mentionEveryone = try c.decodeIfPresent(Bool.self, forKey: .mentionEveryone) ?? false
        attachments = try c.decodeIfPresent([Attachment].self, forKey: .attachments) ?? []
        embedCount = try c.decodeIfPresent([IgnoredJSON].self, forKey: .embeds)?.count ?? 0
        stickerItems = try c.decodeIfPresent([StickerItem].self, forKey: .stickerItems) ?? []
        let stamp = try c.decode(String.self, forKey: .timestamp)
        guard let date = DiscordTimestamp.parse(stamp) else {
            throw DecodingError.dataCorruptedError(forKey: .timestamp, in: c, debugDescription: "not an ISO 8601 timestamp: \"\(stamp.prefix(40))\"")
        }
        timestamp = date
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encode(guildID, forKey: .guildID); try c.encode(channelID, forKey: .channelID)
        try c.encode(author, forKey: .author); try c.encodeIfPresent(member, forKey: .member)
        try c.encode(content, forKey: .content); try c.encode(mentions, forKey: .mentions)
        try c.encode(mentionRoles, forKey: .mentionRoles); try c.encode(mentionEveryone, forKey: .mentionEveryone)
        try c.encode(attachments, forKey: .attachments)
        // Only when there are stickers, so messages stored before stickers were read encode as they did.
        if !stickerItems.isEmpty { try c.encode(stickerItems, forKey: .stickerItems) }
        try c.encode(DiscordTimestamp.format(timestamp), forKey: .timestamp)
    }

    public var isFromBot: Bool { author.bot ?? false }
    public var roles: [Snowflake] { member?.roles ?? [] }
}

/// Skips any JSON value (used to count embeds without modelling them).
struct IgnoredJSON: Decodable { init(from decoder: any Decoder) throws {} }

/// ISO 8601 with or without fractional seconds, as Discord sends (`2026-11-22T02:10:00.123000+00:00`).
public enum DiscordTimestamp {
    /// Parses `YYYY-MM-DD[T ]HH:MM:SS[.fraction](Z|±HH:MM|±HHMM)`, the layouts Discord and its libraries send.
    /// By hand: Foundation's parser costs several microseconds a message and accepts impossible dates.
    public static func parse(_ text: String) -> Date? {
        parseFixed(text).map { Date(timeIntervalSince1970: $0) }
    }

    public static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// `YYYY-MM-DD[T ]HH:MM:SS[.f+](Z|±HH:MM)` to seconds since the epoch, or nil for anything else.
    static func parseFixed(_ text: String) -> Double? {
        var text = text
        return text.withUTF8 { parseFixed($0) }
    }

    static func daysIn(_ month: Int, _ year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func parseFixed(_ b: UnsafeBufferPointer<UInt8>) -> Double? {
        func digits(_ at: Int, _ count: Int) -> Int? {
            guard at + count <= b.count else { return nil }
            var v = 0
            for i in at..<(at + count) {
                let d = Int(b[i]) - 48
                guard d >= 0 && d <= 9 else { return nil }
                v = v * 10 + d
            }
            return v
        }
        guard b.count >= 20, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54 || b[10] == 0x20, b[13] == 0x3A, b[16] == 0x3A,
              let year = digits(0, 4), let month = digits(5, 2), let day = digits(8, 2),
              let hour = digits(11, 2), let minute = digits(14, 2), let second = digits(17, 2),
              (1...12).contains(month), day >= 1, day <= daysIn(month, year), hour < 24, minute < 60, second < 61,
              // Discord began in 2015; earlier years (year 0 included, which PostgreSQL refuses) are no Discord time.
              year >= 1970 else { return nil }
        var i = 19
        var fraction = 0.0
        if i < b.count, b[i] == 0x2E {
            i += 1
            var scale = 0.1
            let start = i
            while i < b.count, b[i] >= 48, b[i] <= 57 { fraction += Double(b[i] - 48) * scale; scale /= 10; i += 1 }
            guard i > start else { return nil }
        }
        guard i < b.count else { return nil }
        var offset = 0
        if b[i] == 0x5A || b[i] == 0x7A {
            i += 1
        } else if b[i] == 0x2B || b[i] == 0x2D {
            let sign = b[i] == 0x2D ? -1 : 1
            guard let oh = digits(i + 1, 2) else { return nil }
            var om = 0
            if i + 3 < b.count, b[i + 3] == 0x3A { guard let m = digits(i + 4, 2) else { return nil }; om = m; i += 6 }
            else if let m = digits(i + 3, 2) { om = m; i += 5 } else { i += 3 }
            offset = sign * (oh * 3600 + om * 60)
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let days = CivilDays.from(year: year, month: month, day: day)
        return Double(days * 86_400 + hour * 3600 + minute * 60 + second - offset) + fraction
    }
}
