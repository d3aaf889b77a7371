import Foundation

/// What a `spam` rule measures. See `docs/rules.md` ("detector") and `docs/extending.md`.
///
/// This file is the detectors' one table: a detector is a case here plus its entry in `spec`, which says
/// how it counts (per message, summed over a window, or one of the two special window counts), which slot
/// of `SpamSignals.counts` it fills, which slot of the fixed-size `SpamRecord.kept` it keeps per member,
/// and how it reads its number from a message. The tracker's hot loop reads only the slot numbers, so it
/// never calls through a closure or a protocol per rule.
public enum SpamDetector: String, Sendable, Codable, CaseIterable {
    case rate, duplicates, mentions, links, invites, attachments, emoji, lines, characters, caps, stickers

    /// Everything the spam stage knows about this detector.
    public var spec: SpamDetectorSpec {
        switch self {
        case .rate:
            SpamDetectorSpec(measure: .rate, summary: "Messages per window.")
        case .duplicates:
            SpamDetectorSpec(measure: .duplicates,
                             summary: "Messages in the window with the same or nearly the same text as this one.")
        case .mentions:
            SpamDetectorSpec(measure: .summed(kept: 0), signal: 0,
                             summary: "User and role mentions (plus @everyone as 1) summed over the window.") {
                $0.message.mentions.count + $0.message.mentionRoles.count + ($0.message.mentionEveryone ? 1 : 0)
            }
        case .links:
            SpamDetectorSpec(measure: .summed(kept: 1), signal: 1, summary: "Links summed over the window.") { $0.text.links.count }
        case .invites:
            SpamDetectorSpec(measure: .summed(kept: 2), signal: 2, summary: "Server invites summed over the window.") { $0.text.inviteCount }
        case .attachments:
            SpamDetectorSpec(measure: .summed(kept: 3), signal: 3, summary: "Attachments summed over the window.") { $0.message.attachments.count }
        case .emoji:
            SpamDetectorSpec(measure: .summed(kept: 4), signal: 4, summary: "Emoji summed over the window.") { $0.stats.emoji }
        case .lines:
            SpamDetectorSpec(measure: .perMessage, signal: 5, summary: "Lines of one message.") { $0.stats.lines }
        case .characters:
            SpamDetectorSpec(measure: .perMessage, signal: 6,
                             summary: "Longest run of one repeated character in one message (a character flood).") { $0.stats.longestCharRun }
        case .caps:
            SpamDetectorSpec(measure: .perMessage, signal: 7, thresholds: 1...100,
                             summary: "Share of upper-case letters in one message, in percent (messages of 8 cased letters or more).") {
                CapsShare.percent(of: $0.message.content)
            }
        case .stickers:
            SpamDetectorSpec(measure: .summed(kept: 5), signal: 8, summary: "Stickers summed over the window.") { $0.message.stickerItems.count }
        }
    }

    /// Per-message detectors look at one message only; the others count over a sliding window.
    public var isPerMessage: Bool { spec.measure == .perMessage }
}

/// A detector's count reader and the slot of `SpamSignals.counts` it fills, looked up once per rule set so
/// the per-message pass does not rebuild table rows.
struct SpamCountReader: Sendable {
    let slot: Int
    let read: @Sendable (SpamInput) -> Int

    /// The readers of `detectors` that have a count to read (not `rate` or `duplicates`).
    static func of(_ detectors: [SpamDetector]) -> [SpamCountReader] {
        detectors.compactMap { detector in
            let spec = detector.spec
            guard let read = spec.read, let slot = spec.signal else { return nil }
            return SpamCountReader(slot: slot, read: read)
        }
    }
}

/// One row of the detector table (see `SpamDetector.spec`).
public struct SpamDetectorSpec: Sendable {
    /// How a detector turns messages into the number compared with the rule's threshold.
    public enum Measure: Sendable, Equatable {
        /// Messages per window (each message adds 1).
        case rate
        /// Messages in the window whose text matches this one (SimHash or exact hash).
        case duplicates
        /// This message's count plus the counts kept in `SpamRecord.kept[kept]` for the window.
        case summed(kept: Int)
        /// This message's count alone.
        case perMessage
    }

    public let measure: Measure
    /// Slot of `SpamSignals.counts` this detector fills; nil for `rate` and `duplicates`, which need no count.
    public let signal: Int?
    /// Thresholds a rule may set (validation); a percentage detector stops at 100.
    public let thresholds: ClosedRange<Int>
    /// One line for docs and error messages.
    public let summary: String
    /// Reads this detector's count from a message; nil for `rate` and `duplicates`.
    let read: (@Sendable (SpamInput) -> Int)?

    init(measure: Measure, signal: Int? = nil, thresholds: ClosedRange<Int> = 1...Int.max, summary: String,
         read: (@Sendable (SpamInput) -> Int)? = nil) {
        self.measure = measure; self.signal = signal; self.thresholds = thresholds; self.summary = summary; self.read = read
    }
}

/// What a detector may read a message's count from: the message, its normalized views (links, invites),
/// and the counts of the one shared pass over the text.
struct SpamInput {
    let message: DiscordMessage
    let text: NormalizedText
    let stats: SpamTextStats
}

/// Counts of the one pass over a message's text that several detectors share.
struct SpamTextStats {
    var lines = 0
    var longestCharRun = 0
    var emoji = 0
    var characters = 0
}

/// What a windowed spam rule counts over.
public enum SpamScope: String, Sendable, Codable {
    /// Every message of the member in the guild: key (guild, user).
    case user
    /// Only the member's messages in the same channel: key (guild, user, channel).
    case channel
}
