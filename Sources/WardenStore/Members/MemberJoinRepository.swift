import Foundation

/// Members' joins (`member_joins`) and guilds' raids (`raid_modes`), for raid detection.
public enum MemberJoinRepository {
    /// One join as recorded.
    public struct Join: Sendable {
        public var guild: Int64, user: Int64, joinedAt: Date, accountCreated: Date, nameKey: String
        public init(guild: Int64, user: Int64, joinedAt: Date, accountCreated: Date, nameKey: String) {
            self.guild = guild; self.user = user; self.joinedAt = joinedAt; self.accountCreated = accountCreated; self.nameKey = nameKey
        }
    }

    /// A raid: what started it, when, how many joined during it, and its end (nil while it goes on).
    public struct Raid: Sendable, Equatable {
        public var id: Int64, guild: Int64, trigger: String, observed: Int, threshold: Int
        public var startedAt: Date, lastJoinAt: Date, joins: Int, endedAt: Date?
    }

    /// Records a join; false when it was recorded before.
    public static func record(on conn: any SQLConnection, _ join: Join) throws -> Bool {
        try conn.queryFirst("""
            INSERT INTO member_joins (guild_id, user_id, joined_at, account_created, name_key) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (guild_id, user_id, joined_at) DO NOTHING RETURNING user_id
            """, [.int(join.guild), .int(join.user), .timestamp(join.joinedAt), .timestamp(join.accountCreated), .text(join.nameKey)]) != nil
    }

    /// Joins of `guild` from `since` to `until` (inclusive): all of them, those of accounts made after
    /// `youngAfter`, and those whose name key is `nameKey` (an empty key counts none).
    public static func counts(on conn: any SQLConnection, guild: Int64, since: Date, until: Date, youngAfter: Date, nameKey: String) throws -> (joins: Int, young: Int, similar: Int) {
        guard let row = try conn.queryFirst("""
            SELECT COUNT(*) AS joins,
                   COALESCE(SUM(CASE WHEN account_created > $4 THEN 1 ELSE 0 END), 0) AS young,
                   COALESCE(SUM(CASE WHEN name_key = $5 AND name_key <> '' THEN 1 ELSE 0 END), 0) AS similar
            FROM member_joins WHERE guild_id = $1 AND joined_at >= $2 AND joined_at <= $3
            """, [.int(guild), .timestamp(since), .timestamp(until), .timestamp(youngAfter), .text(nameKey)]) else { return (0, 0, 0) }
        return (Int(try row.int("joins")), Int(try row.int("young")), Int(try row.int("similar")))
    }

    /// The guild's raid going on, if any.
    public static func activeRaid(on conn: any SQLConnection, guild: Int64) throws -> Raid? {
        try conn.queryFirst("SELECT * FROM raid_modes WHERE guild_id = $1 AND ended_at IS NULL", [.int(guild)]).map(raid)
    }

    /// Starts a raid at `at` (the join that started it counts as its first).
    public static func startRaid(on conn: any SQLConnection, guild: Int64, trigger: String, observed: Int, threshold: Int, at: Date) throws -> Raid {
        guard let row = try conn.queryFirst("""
            INSERT INTO raid_modes (guild_id, trigger_kind, observed, threshold, started_at, last_join_at, joins)
            VALUES ($1, $2, $3, $4, $5, $5, 1) RETURNING *
            """, [.int(guild), .text(trigger), .int(Int64(observed)), .int(Int64(threshold)), .timestamp(at)]) else {
            throw StoreError.statement("INSERT INTO raid_modes", message: "no row returned", sqlState: nil)
        }
        return try raid(row)
    }

    /// Counts one more join during the raid; a join that is itself part of a surge (its window over a threshold)
    /// also moves `last_join_at`, the time the quiet period is counted from.
    public static func joinDuringRaid(on conn: any SQLConnection, raid: Int64, at: Date, surge: Bool) throws {
        guard surge else {
            try conn.execute("UPDATE raid_modes SET joins = joins + 1 WHERE id = $1", [.int(raid)])
            return
        }
        try conn.execute("""
            UPDATE raid_modes SET joins = joins + 1, last_join_at = CASE WHEN last_join_at < $2 THEN $2 ELSE last_join_at END WHERE id = $1
            """, [.int(raid), .timestamp(at)])
    }

    /// Ends a raid at `at`; false when it had ended already (another instance ended it).
    public static func endRaid(on conn: any SQLConnection, raid: Int64, at: Date) throws -> Bool {
        try conn.execute("UPDATE raid_modes SET ended_at = $2 WHERE id = $1 AND ended_at IS NULL", [.int(raid), .timestamp(at)]) > 0
    }

    /// Raids going on whose last surge was before `before` (every guild), the longest quiet first, at most `limit`.
    public static func quietRaids(on conn: any SQLConnection, lastJoinBefore before: Date, limit: Int = 100) throws -> [Raid] {
        try conn.query("SELECT * FROM raid_modes WHERE ended_at IS NULL AND last_join_at < $1 ORDER BY last_join_at, id LIMIT $2",
                       [.timestamp(before), .int(Int64(limit))]).map(raid)
    }

    /// Removes joins older than `cutoff` (raid windows are seconds to minutes long).
    @discardableResult
    public static func prune(on conn: any SQLConnection, before cutoff: Date) throws -> Int {
        try conn.execute("DELETE FROM member_joins WHERE joined_at < $1", [.timestamp(cutoff)])
    }

    private static func raid(_ row: SQLRow) throws -> Raid {
        Raid(id: try row.int("id"), guild: try row.int("guild_id"), trigger: try row.string("trigger_kind"),
             observed: Int(try row.int("observed")), threshold: Int(try row.int("threshold")),
             startedAt: try row.timestamp("started_at"), lastJoinAt: try row.timestamp("last_join_at"),
             joins: Int(try row.int("joins")), endedAt: try row.optionalTimestamp("ended_at"))
    }
}
