import Foundation

/// SQL for the LLM quota tables: `premium_subs` (who has which tier) and `gpt_usage` (calls per user, guild
/// and UTC day). The policy — which tier allows how many calls — lives in WardenCore's `QuotaPolicy`; this
/// layer only counts, atomically.
///
/// Days are `YYYY-MM-DD` strings (UTC, chosen by the caller): TEXT in SQLite, where fixed-width text order is
/// date order, and DATE in PostgreSQL. A day in any other form is refused before it reaches the database,
/// so both dialects fail the same way (SQLite would otherwise store it and compare it as text).
public enum QuotaRepository {
    /// A `premium_subs` row as the quota gate needs it.
    public struct Subscription: Sendable, Equatable {
        /// As stored: `monthly`, `yearly`, `lifetime`, or anything an admin tool wrote.
        public var tier: String
        public var status: String
        /// nil: never expires.
        public var expiresAt: Date?

        public init(tier: String, status: String, expiresAt: Date?) {
            self.tier = tier; self.status = status; self.expiresAt = expiresAt
        }
    }

    /// The user's active, unexpired subscription for that guild at `now`: status `active` and `expires_at`
    /// NULL or later than `now`. When several qualify, the highest tier (lifetime > yearly > monthly >
    /// anything else), then the newest row. Subscriptions in other guilds do not count.
    ///
    /// The schema allows one `active` row per user (`idx_premium_subs_one_active_per_user`), so "several" only
    /// happens if that index is relaxed; the ordering keeps the answer deterministic either way.
    /// In SQLite `expires_at` is compared as text, which is correct for the fixed-width UTC form every
    /// `SQLValue.timestamp` writes; rows written by other tools in another form would compare wrongly.
    public static func activeSubscription(on conn: any SQLConnection, user: Int64, guild: Int64, at now: Date) throws -> Subscription? {
        guard let row = try conn.queryFirst("""
            SELECT tier, status, expires_at FROM premium_subs
            WHERE user_id = $1 AND guild_id = $2 AND status = 'active' AND (expires_at IS NULL OR expires_at > $3)
            ORDER BY CASE tier WHEN 'lifetime' THEN 3 WHEN 'yearly' THEN 2 WHEN 'monthly' THEN 1 ELSE 0 END DESC, id DESC
            LIMIT 1
            """, [.int(user), .int(guild), .timestamp(now)])
        else { return nil }
        return Subscription(tier: try row.string("tier"), status: try row.string("status"),
                            expiresAt: try row.optionalTimestamp("expires_at"))
    }

    /// Counts one call for the user on `day` if the count is still below `limit`, in ONE statement, so
    /// concurrent callers (threads, processes, instances sharing PostgreSQL) can never overshoot the limit:
    /// the row is created at 1, or incremented only while `call_count < limit`.
    /// - Parameter limit: calls allowed per day; nil means unlimited (still counted); 0 or less denies
    ///   without writing anything.
    /// - Returns: the new count when the call is allowed, nil when it is denied.
    public static func consume(on conn: any SQLConnection, user: Int64, guild: Int64, day: String, limit: Int?) throws -> Int? {
        try checkDay(day)
        if let limit, limit <= 0 { return nil }
        let insert = """
            INSERT INTO gpt_usage (user_id, guild_id, usage_date, call_count) VALUES ($1, $2, $3, 1)
            ON CONFLICT (user_id, guild_id, usage_date) DO UPDATE SET call_count = gpt_usage.call_count + 1
            """
        let rows: [SQLRow]
        if let limit {
            // When the WHERE is false the conflicting row is left alone and RETURNING yields nothing.
            rows = try conn.query(insert + " WHERE gpt_usage.call_count < $4 RETURNING call_count",
                                  [.int(user), .int(guild), .date(day), .int(Int64(limit))])
        } else {
            rows = try conn.query(insert + " RETURNING call_count", [.int(user), .int(guild), .date(day)])
        }
        return try rows.first.map { Int(try $0.int("call_count")) }
    }

    /// Counts one LLM stage the guild skipped on `day` because a member's quota was used up.
    public static func countDenial(on conn: any SQLConnection, guild: Int64, day: String) throws {
        try conn.execute("""
            INSERT INTO gpt_denials (guild_id, usage_date, denials) VALUES ($1, $2, 1)
            ON CONFLICT (guild_id, usage_date) DO UPDATE SET denials = gpt_denials.denials + 1
            """, [.int(guild), .date(day)])
    }

    /// Gives one call back (a call that got no model answer); the count never goes below 0, and a day
    /// without a row stays without one.
    public static func refund(on conn: any SQLConnection, user: Int64, guild: Int64, day: String) throws {
        try checkDay(day)
        try conn.execute("""
            UPDATE gpt_usage SET call_count = call_count - 1
            WHERE user_id = $1 AND guild_id = $2 AND usage_date = $3 AND call_count > 0
            """, [.int(user), .int(guild), .date(day)])
    }

    /// Calls counted for the user on `day` (0 without a row).
    public static func used(on conn: any SQLConnection, user: Int64, guild: Int64, day: String) throws -> Int {
        try checkDay(day)
        let row = try conn.queryFirst("SELECT call_count FROM gpt_usage WHERE user_id = $1 AND guild_id = $2 AND usage_date = $3",
                                      [.int(user), .int(guild), .date(day)])
        return Int(try row?.int("call_count") ?? 0)
    }

    /// Retention: deletes every row of a day before `day`.
    /// - Returns: how many rows were deleted.
    @discardableResult
    public static func prune(on conn: any SQLConnection, before day: String) throws -> Int {
        try checkDay(day)
        try conn.execute("DELETE FROM gpt_denials WHERE usage_date < $1", [.date(day)])
        return try conn.execute("DELETE FROM gpt_usage WHERE usage_date < $1", [.date(day)])
    }

    /// Inserts a `premium_subs` row (tests and admin tools; payments are handled elsewhere).
    /// A second `active` row for the same user violates `idx_premium_subs_one_active_per_user`
    /// (`StoreError.isUniqueViolation`).
    public static func insertSubscription(on conn: any SQLConnection, user: Int64, guild: Int64, tier: String, status: String,
                                          expiresAt: Date?, at now: Date) throws {
        try conn.execute("""
            INSERT INTO premium_subs (user_id, guild_id, tier, status, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6)
            """, [.int(user), .int(guild), .text(tier), .text(status), .timestamp(expiresAt), .timestamp(now)])
    }

    /// Refuses anything but `YYYY-MM-DD` with a plausible month and day, with the same error in both dialects
    /// (SQLSTATE 22007, invalid_datetime_format, as PostgreSQL would report it for a DATE).
    static func checkDay(_ day: String) throws {
        let b = Array(day.utf8)
        func digits(_ range: Range<Int>) -> Int? {
            var v = 0
            for i in range {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                v = v * 10 + Int(b[i] - 48)
            }
            return v
        }
        guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              let year = digits(0..<4), let month = digits(5..<7), let dayOfMonth = digits(8..<10),
              year >= 1, (1...12).contains(month), (1...31).contains(dayOfMonth)
        else {
            throw StoreError.statement("gpt_usage", message: "day '\(day.prefix(40))' is not a YYYY-MM-DD date", sqlState: "22007")
        }
    }
}
