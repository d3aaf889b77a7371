import Foundation
import WardenCore
import WardenStore

/// FAQ deflection: when a ticket opens, the bot asks for the FAQ answers that best match its first message;
/// they are recorded as the ticket's suggestions (`faq_suggestions`). A ticket is deflected when the member
/// says a suggested entry solved it, or when it is closed with no message from anyone but its opener (a staff
/// reply, or any other author's message, means staff handled it). Per guild: the share of tickets that got a
/// suggestion, the share of those deflected (as Zendesk's autoreply resolution rate), and the entries that
/// deflect most.
public struct FAQDeflectionDesk: Sendable {
    public let database: any Database
    private let clock: @Sendable () -> Date

    /// Most suggestions a ticket gets.
    public static let maxSuggestions = 10

    public init(database: any Database, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database; self.clock = clock
    }

    /// The ticket's suggestions, best first. The first call searches the FAQ the guild sees with the ticket's
    /// first message (logged in `faq_search_logs` as the opener's search) and records up to `limit` hits; later
    /// calls answer what was recorded, so a bot that asks twice does not count the ticket twice. A ticket the
    /// FAQ has nothing for gets none (and is searched again if asked again). Closed and archived tickets are refused.
    public func suggest(ticket: Int64, guild: Int64, limit: Int = 3) async throws -> [FAQSuggestionRepository.Suggestion] {
        guard (1...Self.maxSuggestions).contains(limit) else {
            throw SupportError.invalidInput(field: "limit", reason: "must be 1 to \(Self.maxSuggestions), got \(limit)")
        }
        let now = clock()
        return try await database.transaction { conn in
            // Locked, so two calls at once record one set of suggestions.
            let found = try Self.ticket(ticket, guild: guild, on: conn, forUpdate: true)
            if let status = TicketStatus(stored: found.status), status.isFinished {
                throw SupportError.ticketFinished(ticket, status: status.rawValue)
            }
            let recorded = try FAQSuggestionRepository.suggestions(on: conn, ticket: ticket)
            guard recorded.isEmpty else { return recorded }
            // The search's own limit of 500 characters is for what members type into a search box; a ticket's
            // first message may be longer, and only its first 16 distinct words are searched anyway.
            let query = String(found.description.prefix(500))
            let hits = try FAQRepository.search(on: conn, guild: guild, terms: FAQDesk.terms(found.description), limit: limit)
            try FAQRepository.logSearch(on: conn, guild: guild, user: found.userID, query: query, resultCount: hits.count, at: now)
            for (index, hit) in hits.enumerated() {
                try FAQSuggestionRepository.insert(on: conn, guild: guild, ticket: ticket, entry: hit.entry.id, rank: index + 1,
                                                   score: hit.rank, at: now)
            }
            return try FAQSuggestionRepository.suggestions(on: conn, ticket: ticket)
        }
    }

    /// The ticket's suggestions as recorded (none when it was never given any).
    public func suggestions(ticket: Int64, guild: Int64) async throws -> [FAQSuggestionRepository.Suggestion] {
        try await database.transaction { conn in
            _ = try Self.ticket(ticket, guild: guild, on: conn)
            return try FAQSuggestionRepository.suggestions(on: conn, ticket: ticket)
        }
    }

    /// What `solved` did.
    public struct Resolution: Sendable, Equatable {
        /// The ticket's status afterwards (closed, unless it was already archived).
        public var status: TicketStatus
        public var suggestions: [FAQSuggestionRepository.Suggestion]
        /// False when the member had already said so (nothing changed).
        public var changed: Bool
    }

    /// The member who opened the ticket says the suggested `entry` solved it: the ticket is deflected by that
    /// entry and closed if it was not finished (closing queues its summary, as any close does). Saying it again
    /// changes nothing. Refused when `user` is not the opener, when the entry was not suggested for the ticket,
    /// or when the member already named another entry, or when the ticket is finished without a deflection (staff
    /// answered it). A deflection counted by a close without a reply gives way to the member's word.
    public func solved(ticket: Int64, guild: Int64, entry: Int64, by user: Int64) async throws -> Resolution {
        let now = clock()
        return try await database.transaction { conn in
            let found = try Self.ticket(ticket, guild: guild, on: conn, forUpdate: true)
            guard found.userID == user else {
                throw SupportError.invalidInput(field: "user_id", reason: "user \(UInt64(bitPattern: user)) did not open ticket \(ticket); "
                                                + "only its opener can say an answer solved it")
            }
            let suggestions = try FAQSuggestionRepository.suggestions(on: conn, ticket: ticket)
            guard let chosen = suggestions.first(where: { $0.entryID == entry }) else {
                throw SupportError.notSuggested(entry: entry, ticket: ticket)
            }
            let status = TicketStatus(stored: found.status) ?? .open
            if chosen.outcome == .solved { return Resolution(status: status, suggestions: suggestions, changed: false) }
            if let other = suggestions.first(where: { $0.outcome == .solved }) {
                throw SupportError.alreadySolved(ticket: ticket, entry: other.entryID)
            }
            // A finished ticket takes the member's word only in place of a silent close's guess: one that staff
            // answered (or that closed with no suggestion credited) was not resolved by the suggested answer.
            if status.isFinished, !suggestions.contains(where: { $0.outcome == .closedWithoutReply }) {
                throw SupportError.ticketFinished(ticket, status: status.rawValue)
            }
            guard try FAQSuggestionRepository.setOutcome(on: conn, ticket: ticket, entry: entry, .solved, at: now) else {
                throw SupportError.ticketChanged(ticket: ticket)
            }
            // The outcome is set first, so the close below does not count a deflection of its own.
            let after = status.isFinished ? status : try TicketDesk.apply(.close, to: found, on: conn, at: now)
            return Resolution(status: after, suggestions: try FAQSuggestionRepository.suggestions(on: conn, ticket: ticket), changed: true)
        }
    }

    /// Deflection figures of the guild over tickets opened in the last `days` days (all time when nil), with
    /// the `top` entries that deflected most.
    public func stats(guild: Int64, days: Int? = nil, top: Int = 10) async throws -> DeflectionStats {
        if let days, !(1...3650).contains(days) {
            throw SupportError.invalidInput(field: "days", reason: "must be 1 to 3650, got \(days)")
        }
        let since = days.map { clock().addingTimeInterval(-Double($0) * 86_400) }
        return try await database.transaction { conn in
            let counts = try FAQSuggestionRepository.counts(on: conn, guild: guild, since: since).first
                ?? FAQSuggestionRepository.Counts(guildID: guild, opened: 0, suggested: 0, solved: 0, closedWithoutReply: 0)
            let entries = try FAQSuggestionRepository.deflectingEntries(on: conn, guild: guild, since: since, limit: max(1, top))
            return DeflectionStats(counts, entries: entries, since: since)
        }
    }

    /// Every guild that has given a suggestion, all time, with its `top` deflecting entries (for /metrics).
    public func allGuilds(top: Int = 10) async throws -> [DeflectionStats] {
        try await database.transaction { conn in
            let entries = Dictionary(grouping: try FAQSuggestionRepository.deflectingEntries(on: conn, guild: nil, since: nil, limit: max(1, top)),
                                     by: \.guildID)
            return try FAQSuggestionRepository.counts(on: conn, guild: nil, since: nil).map {
                DeflectionStats($0, entries: entries[$0.guildID] ?? [], since: nil)
            }
        }
    }

    /// Called by every close, in its transaction: a ticket that got suggestions and has no message from anyone
    /// but its opener is deflected, credited to its first suggestion (what the member saw on top). A ticket
    /// the member already marked solved keeps that.
    static func recordClose(of ticket: TicketRepository.Ticket, on conn: any SQLConnection, at now: Date) throws {
        let suggestions = try FAQSuggestionRepository.suggestions(on: conn, ticket: ticket.id)
        guard let first = suggestions.first, !suggestions.contains(where: { $0.outcome != nil }),
              !(try TicketRepository.hasMessage(on: conn, ticket: ticket.id, notBy: ticket.userID)) else { return }
        _ = try FAQSuggestionRepository.setOutcome(on: conn, ticket: ticket.id, entry: first.entryID, .closedWithoutReply, at: now)
    }

    private static func ticket(_ id: Int64, guild: Int64, on conn: any SQLConnection, forUpdate: Bool = false) throws -> TicketRepository.Ticket {
        guard let found = try TicketRepository.ticket(on: conn, id: id, forUpdate: forUpdate), found.guildID == guild else {
            throw SupportError.ticketNotFound(id, guild: guild)
        }
        return found
    }
}
