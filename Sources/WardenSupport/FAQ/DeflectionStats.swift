import Foundation
import WardenStore

/// A guild's FAQ deflection figures over the tickets opened in a window. Rates are nil when their
/// denominator is zero (no ticket, no suggestion), never a made-up 0.
public struct DeflectionStats: Sendable, Equatable {
    /// One FAQ entry's record: how often it was suggested and how often its ticket was deflected by it.
    public struct Entry: Sendable, Equatable {
        public var entryID: Int64
        /// Nil when the entry no longer exists.
        public var title: String?
        public var suggested: Int
        /// The member said this entry solved it.
        public var solved: Int
        /// Closed with no reply, this entry being the first suggestion.
        public var closedWithoutReply: Int
        public var deflected: Int { solved + closedWithoutReply }
        /// Deflections per suggestion of this entry.
        public var deflectionRate: Double? { DeflectionStats.rate(deflected, of: suggested) }
    }

    public var guildID: Int64
    /// Tickets opened at or after this; nil: all time.
    public var since: Date?
    public var ticketsOpened: Int
    /// Tickets that got at least one suggestion.
    public var ticketsSuggested: Int
    /// Tickets the member said a suggestion solved.
    public var solved: Int
    /// Tickets closed with a suggestion and no message from anyone but the opener.
    public var closedWithoutReply: Int
    /// Most deflections first.
    public var topEntries: [Entry]

    public var deflected: Int { solved + closedWithoutReply }
    /// Tickets that got a suggestion ÷ tickets opened.
    public var suggestionRate: Double? { Self.rate(ticketsSuggested, of: ticketsOpened) }
    /// Tickets deflected ÷ tickets that got a suggestion (Zendesk's autoreply resolution rate).
    public var deflectionRate: Double? { Self.rate(deflected, of: ticketsSuggested) }

    public init(guildID: Int64, since: Date?, ticketsOpened: Int, ticketsSuggested: Int, solved: Int, closedWithoutReply: Int,
                topEntries: [Entry]) {
        self.guildID = guildID; self.since = since; self.ticketsOpened = ticketsOpened; self.ticketsSuggested = ticketsSuggested
        self.solved = solved; self.closedWithoutReply = closedWithoutReply; self.topEntries = topEntries
    }

    init(_ counts: FAQSuggestionRepository.Counts, entries: [FAQSuggestionRepository.EntryCounts], since: Date?) {
        self.init(guildID: counts.guildID, since: since, ticketsOpened: counts.opened, ticketsSuggested: counts.suggested,
                  solved: counts.solved, closedWithoutReply: counts.closedWithoutReply,
                  topEntries: entries.map { Entry(entryID: $0.entryID, title: $0.title, suggested: $0.suggested, solved: $0.solved,
                                                  closedWithoutReply: $0.closedWithoutReply) })
    }

    static func rate(_ part: Int, of whole: Int) -> Double? { whole > 0 ? Double(part) / Double(whole) : nil }
}
