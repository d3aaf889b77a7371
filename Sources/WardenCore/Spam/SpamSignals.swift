import Foundation

/// What the spam stage needs to know about one message (computed elsewhere from the text).
///
/// A plain value so the spam stage never touches the text itself: the normalize stage computes these
/// once, and the tracker keeps only a fixed-size record of them per message.
public struct SpamSignals: Sendable {
    /// Room for every detector's count; `SpamDetectorTests` checks the table's slots fit.
    public static let slotCount = 16

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
    /// Total characters.
    public var characters: Int
    /// Each detector's count for this message, at the detector's `SpamDetectorSpec.signal` slot: a fixed
    /// inline array, so building signals allocates nothing.
    public var counts: InlineArray<16, Int>

    /// The count a detector read from this message (0 for `rate` and `duplicates`, which read none).
    public subscript(detector: SpamDetector) -> Int {
        get { detector.spec.signal.map { counts[$0] } ?? 0 }
        set { if let slot = detector.spec.signal { counts[slot] = newValue } }
    }

    /// Memberwise initializer; the counts default to 0 so callers and tests name only what a message has.
    /// The named counts are the detectors that predate the table; set any other with the subscript.
    public init(
        guildID: UInt64, userID: UInt64, channelID: UInt64, messageID: UInt64, timestamp: Double,
        contentHash: UInt64 = 0, simhash: UInt64 = 0, textLength: Int = 0,
        mentions: Int = 0, links: Int = 0, invites: Int = 0, attachments: Int = 0, emoji: Int = 0,
        lines: Int = 0, longestCharRun: Int = 0, characters: Int = 0
    ) {
        self.init(blankFor: guildID, userID: userID, channelID: channelID, messageID: messageID, timestamp: timestamp,
                  contentHash: contentHash, simhash: simhash, textLength: textLength, characters: characters)
        self[.mentions] = mentions
        self[.links] = links
        self[.invites] = invites
        self[.attachments] = attachments
        self[.emoji] = emoji
        self[.lines] = lines
        self[.characters] = longestCharRun
    }

    /// Signals with every detector's count at 0, for the evaluator, which fills in only the detectors its
    /// rules use (without a table lookup per named count).
    init(blankFor guildID: UInt64, userID: UInt64, channelID: UInt64, messageID: UInt64, timestamp: Double,
         contentHash: UInt64, simhash: UInt64, textLength: Int, characters: Int) {
        self.guildID = guildID
        self.userID = userID
        self.channelID = channelID
        self.messageID = messageID
        self.timestamp = timestamp
        self.contentHash = contentHash
        self.simhash = simhash
        self.textLength = textLength
        self.characters = characters
        self.counts = InlineArray(repeating: 0)
    }

    /// True when the message has no text to compare (attachments only); such messages are never duplicates.
    var hasText: Bool { contentHash != 0 && textLength > 0 }
}
