import Foundation

/// What a `spam` rule measures. See `docs/rules.md` ("detector").
public enum SpamDetector: String, Sendable, Codable, CaseIterable {
    /// Messages per window.
    case rate
    /// Messages in the window with the same or nearly the same text as this one.
    case duplicates
    /// User and role mentions (plus `@everyone` as 1) summed over the window.
    case mentions
    /// Links summed over the window.
    case links
    /// Server invites summed over the window.
    case invites
    /// Attachments summed over the window.
    case attachments
    /// Emoji summed over the window.
    case emoji
    /// Lines of one message.
    case lines
    /// Longest run of one repeated character in one message (a character flood).
    case characters

    /// lines and characters look at one message only; the others count over a sliding window.
    public var isPerMessage: Bool {
        switch self {
        case .lines, .characters: return true
        case .rate, .duplicates, .mentions, .links, .invites, .attachments, .emoji: return false
        }
    }
}

/// What a windowed spam rule counts over.
public enum SpamScope: String, Sendable, Codable {
    /// Every message of the member in the guild: key (guild, user).
    case user
    /// Only the member's messages in the same channel: key (guild, user, channel).
    case channel
}
