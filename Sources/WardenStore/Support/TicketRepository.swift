import Foundation

/// Support tickets (`support_tickets`) and their messages (`ticket_messages`). Plain rows: the state machine
/// (which transitions are allowed) lives in WardenSupport's `TicketStatus`; `update` only writes a transition
/// that was decided against the status it read (compare-and-set), so two staff acting at once cannot both win.
public enum TicketRepository {
    /// One ticket row.
    public struct Ticket: Sendable, Equatable {
        public var id: Int64
        public var guildID: Int64
        public var userID: Int64
        public var username: String?
        public var description: String
        /// The stored status text (`open`, `claimed`, `waiting_for_user`, `escalated`, `closed`, `archived`).
        public var status: String
        public var channelID: Int64?
        public var claimedBy: Int64?
        public var claimedAt: Date?
        public var escalatedTo: Int64?
        public var createdAt: Date
        public var updatedAt: Date?
        public var closedAt: Date?
        public var archivedAt: Date?
        public var archivedBy: Int64?
    }

    /// One message of a ticket.
    public struct Message: Sendable, Equatable {
        public var id: Int64
        public var ticketID: Int64
        public var authorID: Int64
        public var content: String
        public var createdAt: Date
    }

    /// The columns a transition may change; nil leaves a column as it is.
    public struct Change: Sendable, Equatable {
        public var status: String
        public var claimedBy: Int64?
        public var claimedAt: Date?
        public var escalatedTo: Int64?
        public var closedAt: Date?
        public var archivedAt: Date?
        public var archivedBy: Int64?
        /// Clears closed_at (a reopened ticket).
        public var clearClosedAt: Bool

        public init(status: String, claimedBy: Int64? = nil, claimedAt: Date? = nil, escalatedTo: Int64? = nil,
                    closedAt: Date? = nil, archivedAt: Date? = nil, archivedBy: Int64? = nil, clearClosedAt: Bool = false) {
            self.status = status; self.claimedBy = claimedBy; self.claimedAt = claimedAt; self.escalatedTo = escalatedTo
            self.closedAt = closedAt; self.archivedAt = archivedAt; self.archivedBy = archivedBy; self.clearClosedAt = clearClosedAt
        }
    }

    /// Inserts an `open` ticket and returns its id.
    public static func create(on conn: any SQLConnection, guild: Int64, user: Int64, username: String?, description: String,
                              channel: Int64?, at now: Date) throws -> Int64 {
        guard let row = try conn.queryFirst("""
            INSERT INTO support_tickets (guild_id, user_id, username, description, status, channel_id, created_at, updated_at)
            VALUES ($1, $2, $3, $4, 'open', $5, $6, $6) RETURNING id
            """, [.int(guild), .int(user), .text(username), .text(description), .int(channel), .timestamp(now)])
        else { throw StoreError.statement("INSERT INTO support_tickets", message: "no id returned", sqlState: nil) }
        return try row.int("id")
    }

    /// Appends a message to a ticket and returns its id.
    @discardableResult
    public static func addMessage(on conn: any SQLConnection, ticket: Int64, author: Int64, content: String, at now: Date) throws -> Int64 {
        guard let row = try conn.queryFirst("""
            INSERT INTO ticket_messages (ticket_id, author_id, content, created_at) VALUES ($1, $2, $3, $4) RETURNING id
            """, [.int(ticket), .int(author), .text(content), .timestamp(now)])
        else { throw StoreError.statement("INSERT INTO ticket_messages", message: "no id returned", sqlState: nil) }
        try conn.execute("UPDATE support_tickets SET updated_at = $2 WHERE id = $1", [.int(ticket), .timestamp(now)])
        return try row.int("id")
    }

    /// One ticket, or nil. `forUpdate` locks the row on PostgreSQL until the transaction ends.
    public static func ticket(on conn: any SQLConnection, id: Int64, forUpdate: Bool = false) throws -> Ticket? {
        let lock = forUpdate && conn.dialect == .postgres ? " FOR UPDATE" : ""
        return try conn.queryFirst("SELECT \(columns) FROM support_tickets WHERE id = $1" + lock, [.int(id)]).map(ticket)
    }

    /// A guild's tickets, newest first, optionally of one status.
    public static func tickets(on conn: any SQLConnection, guild: Int64, status: String?, limit: Int) throws -> [Ticket] {
        if let status {
            return try conn.query("""
                SELECT \(columns) FROM support_tickets WHERE guild_id = $1 AND status = $2 ORDER BY id DESC LIMIT $3
                """, [.int(guild), .text(status), .int(Int64(max(0, limit)))]).map(ticket)
        }
        return try conn.query("SELECT \(columns) FROM support_tickets WHERE guild_id = $1 ORDER BY id DESC LIMIT $2",
                              [.int(guild), .int(Int64(max(0, limit)))]).map(ticket)
    }

    /// The ticket's messages in order.
    public static func messages(on conn: any SQLConnection, ticket: Int64) throws -> [Message] {
        try conn.query("""
            SELECT id, ticket_id, author_id, content, created_at FROM ticket_messages WHERE ticket_id = $1 ORDER BY id
            """, [.int(ticket)]).map { row in
            Message(id: try row.int("id"), ticketID: try row.int("ticket_id"), authorID: try row.int("author_id"),
                    content: try row.string("content"), createdAt: try row.timestamp("created_at"))
        }
    }

    /// Whether the ticket has a message by anyone but `author` (its opener: a reply from staff, or from the bot).
    public static func hasMessage(on conn: any SQLConnection, ticket: Int64, notBy author: Int64) throws -> Bool {
        try conn.queryFirst("SELECT 1 AS found FROM ticket_messages WHERE ticket_id = $1 AND author_id <> $2 LIMIT 1",
                            [.int(ticket), .int(author)]) != nil
    }

    /// Writes a transition if the ticket still has status `from`.
    /// - Returns: false, changing nothing, when the status is no longer `from` (someone else moved it first).
    public static func update(on conn: any SQLConnection, id: Int64, from: String, to change: Change, at now: Date) throws -> Bool {
        try conn.execute("""
            UPDATE support_tickets SET status = $3,
                claimed_by = COALESCE($4, claimed_by), claimed_at = COALESCE($5, claimed_at),
                escalated_to = COALESCE($6, escalated_to),
                closed_at = CASE WHEN $10 THEN NULL ELSE COALESCE($7, closed_at) END,
                archived_at = COALESCE($8, archived_at), archived_by = COALESCE($9, archived_by), updated_at = $11
            WHERE id = $1 AND status = $2
            """, [.int(id), .text(from), .text(change.status), .int(change.claimedBy), .timestamp(change.claimedAt),
                  .int(change.escalatedTo), .timestamp(change.closedAt), .timestamp(change.archivedAt),
                  .int(change.archivedBy), .bool(change.clearClosedAt), .timestamp(now)]) == 1
    }

    /// (status, created, closed) of a guild's tickets created at or after `since` (all when nil): the input of
    /// ticket metrics.
    public static func lifecycle(on conn: any SQLConnection, guild: Int64, since: Date?) throws -> [(status: String, createdAt: Date, closedAt: Date?)] {
        let rows: [SQLRow]
        if let since {
            rows = try conn.query("""
                SELECT status, created_at, closed_at FROM support_tickets WHERE guild_id = $1 AND created_at >= $2
                """, [.int(guild), .timestamp(since)])
        } else {
            rows = try conn.query("SELECT status, created_at, closed_at FROM support_tickets WHERE guild_id = $1", [.int(guild)])
        }
        return try rows.map { (try $0.optionalString("status") ?? "open", try $0.timestamp("created_at"), try $0.optionalTimestamp("closed_at")) }
    }

    /// Stores one metrics snapshot row.
    @discardableResult
    public static func insertMetrics(on conn: any SQLConnection, guild: Int64, scope: String, snapshotJSON: String, countsJSON: String,
                                     averageCycleTime: Int64?, by: Int64?, at now: Date) throws -> Int64 {
        let j: (String) -> String = { conn.dialect == .sqlite ? "json(\($0))" : $0 }
        guard let row = try conn.queryFirst("""
            INSERT INTO ticket_metrics (guild_id, snapshot, scope, counts, average_cycle_time, triggered_by, created_at)
            VALUES ($1, \(j("$2")), $3, \(j("$4")), $5, $6, $7) RETURNING id
            """, [.int(guild), .json(snapshotJSON), .text(scope), .json(countsJSON), .int(averageCycleTime), .int(by), .timestamp(now)])
        else { throw StoreError.statement("INSERT INTO ticket_metrics", message: "no id returned", sqlState: nil) }
        return try row.int("id")
    }

    private static let columns = """
        id, guild_id, user_id, username, description, status, channel_id, claimed_by, claimed_at, escalated_to,
        created_at, updated_at, closed_at, archived_at, archived_by
        """

    private static func ticket(_ row: SQLRow) throws -> Ticket {
        Ticket(id: try row.int("id"), guildID: try row.int("guild_id"), userID: try row.int("user_id"),
               username: try row.optionalString("username"), description: try row.string("description"),
               status: try row.optionalString("status") ?? "open", channelID: try row.optionalInt("channel_id"),
               claimedBy: try row.optionalInt("claimed_by"), claimedAt: try row.optionalTimestamp("claimed_at"),
               escalatedTo: try row.optionalInt("escalated_to"), createdAt: try row.optionalTimestamp("created_at") ?? Date(timeIntervalSince1970: 0),
               updatedAt: try row.optionalTimestamp("updated_at"), closedAt: try row.optionalTimestamp("closed_at"),
               archivedAt: try row.optionalTimestamp("archived_at"), archivedBy: try row.optionalInt("archived_by"))
    }
}
