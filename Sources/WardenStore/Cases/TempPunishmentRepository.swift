import Foundation

/// Temporary bans and role mutes (`temp_punishments`): at most one running per member and kind, each ended
/// exactly once, by its expiry or early.
public enum TempPunishmentRepository {
    public struct Punishment: Sendable, Equatable {
        public var id: Int64, guildID: Int64, userID: Int64, kind: String, roleID: Int64?, caseID: Int64?, logID: Int64?
        public var endsAt: Date, createdAt: Date, endedAt: Date?, outcome: String?
    }

    /// Starts a punishment of `kind` ending at `endsAt`; a running one of the same kind for the member is
    /// superseded (the newer end wins, as Discord keeps only the newer ban or role).
    @discardableResult
    public static func start(on conn: any SQLConnection, guild: Int64, user: Int64, kind: String, roleID: Int64?, caseID: Int64?, logID: Int64?,
                             endsAt: Date, at now: Date) throws -> Punishment {
        try conn.execute("""
            UPDATE temp_punishments SET ended_at = $4, outcome = 'superseded' WHERE guild_id = $1 AND user_id = $2 AND kind = $3 AND ended_at IS NULL
            """, [.int(guild), .int(user), .text(kind), .timestamp(now)])
        guard let row = try conn.queryFirst("""
            INSERT INTO temp_punishments (guild_id, user_id, kind, role_id, case_id, log_id, ends_at, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *
            """, [.int(guild), .int(user), .text(kind), .int(roleID), .int(caseID), .int(logID), .timestamp(endsAt), .timestamp(now)]) else {
            throw StoreError.statement("INSERT INTO temp_punishments", message: "no row returned", sqlState: nil)
        }
        return try decode(row)
    }

    /// Ends the member's running punishments of `kind` (all kinds when nil; only those of log `logID` when
    /// given) with `outcome`; returns them.
    @discardableResult
    public static func end(on conn: any SQLConnection, guild: Int64, user: Int64, kind: String?, logID: Int64? = nil, outcome: String, at now: Date) throws -> [Punishment] {
        var sql = "UPDATE temp_punishments SET ended_at = $3, outcome = $4 WHERE guild_id = $1 AND user_id = $2 AND ended_at IS NULL"
        var binds: [SQLValue] = [.int(guild), .int(user), .timestamp(now), .text(outcome)]
        if let kind { binds.append(.text(kind)); sql += " AND kind = $\(binds.count)" }
        if let logID { binds.append(.int(logID)); sql += " AND log_id = $\(binds.count)" }
        return try conn.query(sql + " RETURNING *", binds).map(decode)
    }

    /// Punishments whose end has come (`ends_at <= now`), oldest first, at most `limit`.
    public static func due(on conn: any SQLConnection, at now: Date, limit: Int) throws -> [Punishment] {
        try conn.query("SELECT * FROM temp_punishments WHERE ended_at IS NULL AND ends_at <= $1 ORDER BY ends_at, id LIMIT $2",
                       [.timestamp(now), .int(Int64(limit))]).map(decode)
    }

    /// Marks one punishment expired; false when it had ended already (another instance, or lifted meanwhile).
    public static func expire(on conn: any SQLConnection, id: Int64, at now: Date) throws -> Bool {
        try conn.execute("UPDATE temp_punishments SET ended_at = $2, outcome = 'expired' WHERE id = $1 AND ended_at IS NULL",
                         [.int(id), .timestamp(now)]) > 0
    }

    /// A member's running punishments.
    public static func running(on conn: any SQLConnection, guild: Int64, user: Int64) throws -> [Punishment] {
        try conn.query("SELECT * FROM temp_punishments WHERE guild_id = $1 AND user_id = $2 AND ended_at IS NULL ORDER BY id",
                       [.int(guild), .int(user)]).map(decode)
    }

    static func decode(_ row: SQLRow) throws -> Punishment {
        Punishment(id: try row.int("id"), guildID: try row.int("guild_id"), userID: try row.int("user_id"), kind: try row.string("kind"),
                   roleID: try row.optionalInt("role_id"), caseID: try row.optionalInt("case_id"), logID: try row.optionalInt("log_id"),
                   endsAt: try row.timestamp("ends_at"), createdAt: try row.timestamp("created_at"),
                   endedAt: try row.optionalTimestamp("ended_at"), outcome: try row.optionalString("outcome"))
    }
}
