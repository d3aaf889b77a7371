import Foundation

/// FAQ entries suggested for a ticket (`faq_suggestions`) and how the ticket ended: deflected by one of them
/// or not. Plain rows; what counts as a deflection is decided in WardenSupport's `FAQDeflectionDesk`.
public enum FAQSuggestionRepository {
    /// How a suggestion deflected its ticket (`faq_suggestions.outcome`).
    public enum Outcome: String, Sendable, Codable, CaseIterable {
        /// The member said this entry solved it.
        case solved
        /// The ticket was closed with no message from anyone but its opener (credited to the first suggestion).
        case closedWithoutReply = "closed_without_reply"
    }

    /// One suggested entry of a ticket, with the entry's title as it is now (nil when the entry is gone).
    public struct Suggestion: Sendable, Equatable {
        public var id: Int64
        public var guildID: Int64
        public var ticketID: Int64
        public var entryID: Int64
        /// 1 for the best hit.
        public var rank: Int
        /// The search's rank (higher is better; comparable within the ticket's suggestions only).
        public var score: Double
        public var suggestedAt: Date
        public var outcome: Outcome?
        public var outcomeAt: Date?
        public var title: String?
        public var summary: String?
    }

    /// A guild's counts: tickets opened, those that got a suggestion, those deflected (and how).
    public struct Counts: Sendable, Equatable {
        public var guildID: Int64
        public var opened: Int
        public var suggested: Int
        public var solved: Int
        public var closedWithoutReply: Int
        public init(guildID: Int64, opened: Int, suggested: Int, solved: Int, closedWithoutReply: Int) {
            self.guildID = guildID; self.opened = opened; self.suggested = suggested; self.solved = solved
            self.closedWithoutReply = closedWithoutReply
        }
    }

    /// One entry's record in a guild: how often it was suggested and how often it deflected the ticket.
    public struct EntryCounts: Sendable, Equatable {
        public var guildID: Int64
        public var entryID: Int64
        public var title: String?
        public var suggested: Int
        public var solved: Int
        public var closedWithoutReply: Int
    }

    /// Records a suggestion; a second one of the same entry for the same ticket is ignored.
    public static func insert(on conn: any SQLConnection, guild: Int64, ticket: Int64, entry: Int64, rank: Int, score: Double,
                              at now: Date) throws {
        try conn.execute("""
            INSERT INTO faq_suggestions (guild_id, ticket_id, entry_id, rank, score, suggested_at)
            VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING
            """, [.int(guild), .int(ticket), .int(entry), .int(Int64(rank)), .double(score), .timestamp(now)])
    }

    /// The ticket's suggestions, best first.
    public static func suggestions(on conn: any SQLConnection, ticket: Int64) throws -> [Suggestion] {
        try conn.query("""
            SELECT s.id, s.guild_id, s.ticket_id, s.entry_id, s.rank, s.score, s.suggested_at, s.outcome, s.outcome_at,
                   e.title, e.summary
            FROM faq_suggestions s LEFT JOIN faq_entries e ON e.id = s.entry_id
            WHERE s.ticket_id = $1 ORDER BY s.rank
            """, [.int(ticket)]).map { row in
            let stored = try row.optionalString("outcome")
            return Suggestion(id: try row.int("id"), guildID: try row.int("guild_id"), ticketID: try row.int("ticket_id"),
                              entryID: try row.int("entry_id"), rank: Int(try row.int("rank")), score: try row.double("score"),
                              suggestedAt: try row.timestamp("suggested_at"),
                              outcome: try stored.map { text in
                                  guard let outcome = Outcome(rawValue: text) else {
                                      throw StoreError.column("outcome", expected: "solved or closed_without_reply", got: text)
                                  }
                                  return outcome
                              },
                              outcomeAt: try row.optionalTimestamp("outcome_at"), title: try row.optionalString("title"),
                              summary: try row.optionalString("summary"))
        }
    }

    /// Gives the ticket's suggestion of `entry` the outcome, after clearing any other outcome of the ticket
    /// (one deflection per ticket). Returns false, changing nothing, when `entry` was not suggested for it.
    public static func setOutcome(on conn: any SQLConnection, ticket: Int64, entry: Int64, _ outcome: Outcome, at now: Date) throws -> Bool {
        // Cleared first: the partial unique index allows one outcome per ticket at any moment.
        try conn.execute("UPDATE faq_suggestions SET outcome = NULL, outcome_at = NULL WHERE ticket_id = $1 AND entry_id <> $2 AND outcome IS NOT NULL",
                         [.int(ticket), .int(entry)])
        return try conn.execute("UPDATE faq_suggestions SET outcome = $3, outcome_at = $4 WHERE ticket_id = $1 AND entry_id = $2",
                                [.int(ticket), .int(entry), .text(outcome.rawValue), .timestamp(now)]) == 1
    }

    /// Clears the ticket's outcome (a reopened ticket was not deflected after all).
    public static func clearOutcome(on conn: any SQLConnection, ticket: Int64) throws {
        try conn.execute("UPDATE faq_suggestions SET outcome = NULL, outcome_at = NULL WHERE ticket_id = $1 AND outcome IS NOT NULL",
                         [.int(ticket)])
    }

    /// Per guild, over tickets created at or after `since` (all when nil): tickets opened, tickets with a
    /// suggestion, tickets deflected by the member's word and by closing without a reply. Every guild that has
    /// a suggestion when `guild` is nil, else that guild (zeros when it has no ticket).
    public static func counts(on conn: any SQLConnection, guild: Int64?, since: Date?) throws -> [Counts] {
        var binds: [SQLValue] = []
        var conditions: [String] = []
        if let guild {
            binds.append(.int(guild)); conditions.append("t.guild_id = $\(binds.count)")
        } else {
            conditions.append("t.guild_id IN (SELECT DISTINCT guild_id FROM faq_suggestions)")
        }
        if let since { binds.append(.timestamp(since)); conditions.append("t.created_at >= $\(binds.count)") }
        // MAX(outcome): a ticket has at most one suggestion with an outcome.
        let rows = try conn.query("""
            SELECT t.guild_id, COUNT(*) AS opened, COUNT(s.ticket_id) AS suggested,
                   COALESCE(SUM(CASE WHEN s.outcome = 'solved' THEN 1 ELSE 0 END), 0) AS solved,
                   COALESCE(SUM(CASE WHEN s.outcome = 'closed_without_reply' THEN 1 ELSE 0 END), 0) AS unanswered
            FROM support_tickets t
            LEFT JOIN (SELECT ticket_id, MAX(outcome) AS outcome FROM faq_suggestions GROUP BY ticket_id) s ON s.ticket_id = t.id
            WHERE \(conditions.joined(separator: " AND "))
            GROUP BY t.guild_id ORDER BY t.guild_id
            """, binds)
        let counts = try rows.map {
            Counts(guildID: try $0.int("guild_id"), opened: Int(try $0.int("opened")), suggested: Int(try $0.int("suggested")),
                   solved: Int(try $0.int("solved")), closedWithoutReply: Int(try $0.int("unanswered")))
        }
        if let guild, counts.isEmpty { return [Counts(guildID: guild, opened: 0, suggested: 0, solved: 0, closedWithoutReply: 0)] }
        return counts
    }

    /// The entries that deflected tickets (created at or after `since`, all when nil), most deflections first,
    /// at most `limit` per guild; of one guild, or of every guild when `guild` is nil.
    public static func deflectingEntries(on conn: any SQLConnection, guild: Int64?, since: Date?, limit: Int) throws -> [EntryCounts] {
        var binds: [SQLValue] = []
        var conditions: [String] = []
        if let guild { binds.append(.int(guild)); conditions.append("s.guild_id = $\(binds.count)") }
        if let since { binds.append(.timestamp(since)); conditions.append("t.created_at >= $\(binds.count)") }
        let rows = try conn.query("""
            SELECT s.guild_id, s.entry_id, e.title, COUNT(*) AS suggested,
                   COALESCE(SUM(CASE WHEN s.outcome = 'solved' THEN 1 ELSE 0 END), 0) AS solved,
                   COALESCE(SUM(CASE WHEN s.outcome = 'closed_without_reply' THEN 1 ELSE 0 END), 0) AS unanswered
            FROM faq_suggestions s JOIN support_tickets t ON t.id = s.ticket_id LEFT JOIN faq_entries e ON e.id = s.entry_id
            \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
            GROUP BY s.guild_id, s.entry_id, e.title
            HAVING COUNT(s.outcome) > 0
            ORDER BY s.guild_id, COUNT(s.outcome) DESC, solved DESC, s.entry_id
            """, binds)
        var perGuild: [Int64: Int] = [:]
        return try rows.compactMap { row in
            let guildID = try row.int("guild_id")
            perGuild[guildID, default: 0] += 1
            guard perGuild[guildID, default: 0] <= limit else { return nil }
            return EntryCounts(guildID: guildID, entryID: try row.int("entry_id"), title: try row.optionalString("title"),
                               suggested: Int(try row.int("suggested")), solved: Int(try row.int("solved")),
                               closedWithoutReply: Int(try row.int("unanswered")))
        }
    }
}
