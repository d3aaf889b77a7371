import Foundation

/// Cases (`cases`): every action against a member, numbered per guild, and their counter (`case_counters`).
public enum CaseRepository {
    /// One case.
    public struct Case: Sendable, Equatable, Codable {
        public var id: Int64
        public var guildID: Int64
        public var number: Int
        public var userID: Int64
        /// Null for an automatic case.
        public var moderatorID: Int64?
        public var action: String
        public var reason: String?
        public var durationSeconds: Int?
        public var points: Double?
        public var logID: Int64?
        /// `automod` or `manual`.
        public var source: String
        public var createdAt: Date
        public var updatedAt: Date
    }

    /// A case to open.
    public struct NewCase: Sendable {
        public var guild: Int64, user: Int64, moderator: Int64?, action: String, reason: String?
        public var durationSeconds: Int?, points: Double?, logID: Int64?, source: String
        public init(guild: Int64, user: Int64, moderator: Int64?, action: String, reason: String?, durationSeconds: Int? = nil,
                    points: Double? = nil, logID: Int64? = nil, source: String) {
            self.guild = guild; self.user = user; self.moderator = moderator; self.action = action; self.reason = reason
            self.durationSeconds = durationSeconds; self.points = points; self.logID = logID; self.source = source
        }
    }

    /// Opens a case with the guild's next number. The counter row is the guild's lock for numbering: callers
    /// writing several guilds' cases in one transaction open them in guild order (see `TriggerLedger`).
    public static func open(on conn: any SQLConnection, _ new: NewCase, at now: Date) throws -> Case {
        guard let counter = try conn.queryFirst("""
            INSERT INTO case_counters (guild_id, last_number) VALUES ($1, 1)
            ON CONFLICT (guild_id) DO UPDATE SET last_number = case_counters.last_number + 1 RETURNING last_number
            """, [.int(new.guild)]) else { throw StoreError.statement("INSERT INTO case_counters", message: "no number returned", sqlState: nil) }
        let number = try counter.int("last_number")
        guard let row = try conn.queryFirst("""
            INSERT INTO cases (guild_id, number, user_id, moderator_id, action, reason, duration_seconds, points, log_id, source, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING *
            """, [.int(new.guild), .int(number), .int(new.user), .int(new.moderator), .text(new.action), .text(new.reason),
                  .int(new.durationSeconds.map(Int64.init)), new.points.map { .double($0) } ?? .null, .int(new.logID), .text(new.source),
                  .timestamp(now)]) else { throw StoreError.statement("INSERT INTO cases", message: "no row returned", sqlState: nil) }
        return try decode(row)
    }

    public static func find(on conn: any SQLConnection, guild: Int64, number: Int) throws -> Case? {
        try conn.queryFirst("SELECT * FROM cases WHERE guild_id = $1 AND number = $2", [.int(guild), .int(Int64(number))]).map(decode)
    }

    /// A guild's cases, newest first: all, or one member's; before case `before` (keyset), at most `limit`.
    public static func list(on conn: any SQLConnection, guild: Int64, user: Int64?, before: Int?, limit: Int) throws -> [Case] {
        var sql = "SELECT * FROM cases WHERE guild_id = $1"
        var binds: [SQLValue] = [.int(guild)]
        if let user { binds.append(.int(user)); sql += " AND user_id = $\(binds.count)" }
        if let before { binds.append(.int(Int64(before))); sql += " AND number < $\(binds.count)" }
        binds.append(.int(Int64(limit)))
        return try conn.query(sql + " ORDER BY number DESC LIMIT $\(binds.count)", binds).map(decode)
    }

    /// Changes a case's reason; returns the case as it was, or nil when there is none.
    public static func setReason(on conn: any SQLConnection, guild: Int64, number: Int, reason: String, at now: Date) throws -> (before: Case, after: Case)? {
        guard let before = try conn.queryFirst("SELECT * FROM cases WHERE guild_id = $1 AND number = $2 FOR UPDATE".forDialect(conn.dialect),
                                               [.int(guild), .int(Int64(number))]).map(decode) else { return nil }
        guard let after = try conn.queryFirst("UPDATE cases SET reason = $3, updated_at = $4 WHERE guild_id = $1 AND number = $2 RETURNING *",
                                              [.int(guild), .int(Int64(number)), .text(reason), .timestamp(now)]).map(decode) else { return nil }
        return (before, after)
    }

    static func decode(_ row: SQLRow) throws -> Case {
        Case(id: try row.int("id"), guildID: try row.int("guild_id"), number: Int(try row.int("number")), userID: try row.int("user_id"),
             moderatorID: try row.optionalInt("moderator_id"), action: try row.string("action"), reason: try row.optionalString("reason"),
             durationSeconds: try row.optionalInt("duration_seconds").map(Int.init), points: try row.optionalDouble("points"),
             logID: try row.optionalInt("log_id"), source: try row.string("source"), createdAt: try row.timestamp("created_at"),
             updatedAt: try row.timestamp("updated_at"))
    }
}

extension String {
    /// SQLite has no row locks (its one writer serialises transactions): `FOR UPDATE` is dropped there.
    func forDialect(_ dialect: SQLDialect) -> String {
        dialect == .postgres ? self : replacingOccurrences(of: " FOR UPDATE", with: "")
    }
}
