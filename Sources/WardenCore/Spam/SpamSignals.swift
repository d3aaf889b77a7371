import Foundation

/// What the spam stage needs to know about one message (computed elsewhere from the text).
///
/// A plain value so the spam stage never touches the text itself: the normalize stage computes these
/// once, and the tracker keeps only a fixed-size record of them per message.
public struct SpamSignals: Sendable {
    public var guildID: UInt64
    public var userID: UInt64
    public var channelID: UInt64
    public var messageID: UInt64
    /// Seconds since the epoch, from the Discord message (not the wall clock), so replays are deterministic.
    public var timestamp: Double
    /// `SimHash.contentHash` of the normalized text; 0 when the text is empty.
    public var contentHash: UInt64
    /// `SimHash.of` the normalized text.
    public var simhash: UInt64
    /// Characters of normalized text.
    public var textLength: Int
    /// User mentions + role mentions (+ `@everyone` counts as 1; the pipeline adds it).
    public var mentions: Int
    public var links: Int
    public var invites: Int
    public var attachments: Int
    public var emoji: Int
    /// Number of lines.
    public var lines: Int
    /// Longest run of one repeated character.
    public var longestCharRun: Int
    /// Total characters.
    public var characters: Int

    /// Memberwise initializer; the counts default to 0 so callers and tests name only what a message has.
    public init(
        guildID: UInt64, userID: UInt64, channelID: UInt64, messageID: UInt64, timestamp: Double,
        contentHash: UInt64 = 0, simhash: UInt64 = 0, textLength: Int = 0,
        mentions: Int = 0, links: Int = 0, invites: Int = 0, attachments: Int = 0, emoji: Int = 0,
        lines: Int = 0, longestCharRun: Int = 0, characters: Int = 0
    ) {
        self.guildID = guildID
        self.userID = userID
        self.channelID = channelID
        self.messageID = messageID
        self.timestamp = timestamp
        self.contentHash = contentHash
        self.simhash = simhash
        self.textLength = textLength
        self.mentions = mentions
        self.links = links
        self.invites = invites
        self.attachments = attachments
        self.emoji = emoji
        self.lines = lines
        self.longestCharRun = longestCharRun
        self.characters = characters
    }

    /// True when the message has no text to compare (attachments only); such messages are never duplicates.
    var hasText: Bool { contentHash != 0 && textLength > 0 }
}
