import Foundation

/// The durable events feed: late actions (LLM verdicts, appeal reversals, ...) the bot fetches per guild by
/// cursor (`list(after:)` with the last id it saw).
///
/// The guarantee readers rely on: within one guild, ids become visible in increasing order, so a reader that
/// advances its cursor to the highest id it has seen never skips an event that commits later.
/// - SQLite: one writer at a time, so ids are allocated and committed in the same order.
/// - PostgreSQL: sequence values are handed out at INSERT but become visible at COMMIT, in any order; a
///   transaction that took id 10 and commits after the one that took id 11 would be skipped by a reader
///   that already moved past 11. `append` therefore takes a per-guild transaction-level advisory lock
///   before taking the id; it is released only after the commit is visible, so the next appender of that
///   guild gets a larger id and commits later. Appenders of different guilds do not wait for each other.
///
/// Payloads: `payloadJSON` comes back as the same JSON value that was appended, in the store's normal form,
/// not byte for byte: PostgreSQL stores JSONB (keys reordered by length then bytes, duplicate keys
/// collapsed to the last, `", "` and `": "` spacing, numbers as `numeric` text); SQLite stores the text
/// minified by `json()` (key order and duplicates kept). Decode it; do not compare the text across dialects.
public enum EventRepository {
    /// One event of the feed.
    public struct Event: Sendable, Equatable {
        /// Increasing within a guild in commit order; the cursor for `list(after:)`.
        public var id: Int64
        public var guildID: Int64
        public var kind: String
        /// The payload in the store's normal JSON form (see the type's documentation).
        public var payloadJSON: String
        /// UTC, `YYYY-MM-DDTHH:MM:SS.ssssssZ` in both dialects.
        public var createdAt: String

        public init(id: Int64, guildID: Int64, kind: String, payloadJSON: String, createdAt: String) {
            self.id = id; self.guildID = guildID; self.kind = kind; self.payloadJSON = payloadJSON; self.createdAt = createdAt
        }
    }

    /// The advisory lock namespace of the events feed (AutomodRepository uses 1 for guild rules, 2 for users).
    static let lockNamespace = 3

    /// Appends an event inside the caller's transaction and returns its id; also writes its webhook
    /// deliveries (`WebhookRepository.fanOut`).
    ///
    /// On PostgreSQL the guild's feed stays locked until the caller's transaction ends, so keep transactions
    /// that append short; a transaction appending to several guilds should do so in ascending guild order
    /// (otherwise two such transactions can deadlock: SQLSTATE 40P01, `StoreError.isRetryable`).
    /// - Parameter payloadJSON: valid JSON text (invalid JSON is refused by the database).
    @discardableResult
    public static func append(on conn: any SQLConnection, guild: Int64, kind: String, payloadJSON: String, at now: Date) throws -> Int64 {
        let payload: String
        switch conn.dialect {
        case .postgres:
            _ = try conn.query("SELECT pg_advisory_xact_lock(\(lockNamespace), $1)",
                               [.int(Int64(AutomodRepository.lockKey(guild, 0)))])
            payload = "$3"
        case .sqlite:
            payload = "json($3)"
        }
        guard let row = try conn.queryFirst(
            "INSERT INTO events (guild_id, kind, payload, created_at) VALUES ($1, $2, \(payload), $4) RETURNING id",
            [.int(guild), .text(kind), .json(payloadJSON), .timestamp(now)])
        else { throw StoreError.statement("INSERT INTO events", message: "no id returned", sqlState: nil) }
        let id = try row.int("id")
        try StoreNotify.send(on: conn, .events, guild: guild)
        // The webhook outbox is written in the same transaction: an event is never committed without its deliveries.
        try WebhookRepository.fanOut(on: conn, guild: guild, eventID: id, kind: kind, payloadJSON: payloadJSON, at: now)
        return id
    }

    /// The guild's events with id greater than `after`, in ascending id order, at most `limit`
    /// (a limit of 0 or less returns nothing).
    public static func list(on conn: any SQLConnection, guild: Int64, after: Int64, limit: Int) throws -> [Event] {
        guard limit > 0 else { return [] }
        return try conn.query("""
            SELECT id, guild_id, kind, payload, created_at FROM events
            WHERE guild_id = $1 AND id > $2 ORDER BY id LIMIT $3
            """, [.int(guild), .int(after), .int(Int64(limit))]).map { row in
            // Reformatted so both dialects give the same fixed-width UTC text (PostgreSQL prints `+00`).
            let created = try row.timestamp("created_at")
            let createdText = try UTCTimestamp.format(created) ?? row.string("created_at")
            return Event(id: try row.int("id"), guildID: try row.int("guild_id"), kind: try row.string("kind"),
                         payloadJSON: try row.string("payload"), createdAt: createdText)
        }
    }

    /// Retention: deletes events created before `before`, in every guild. Readers whose cursor points at a
    /// deleted event simply continue with the next one.
    /// - Returns: how many events were deleted.
    @discardableResult
    public static func prune(on conn: any SQLConnection, before: Date) throws -> Int {
        try conn.execute("DELETE FROM events WHERE created_at < $1", [.timestamp(before)])
    }
}
