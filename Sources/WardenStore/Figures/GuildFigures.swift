import Foundation

/// Counts over a guild's records for the console's dashboard and rule figures: grouped queries over the
/// indexed columns, each bounded by a start day.
public enum GuildFigures {
    /// A count on one UTC day (`YYYY-MM-DD`), of one kind when the query splits by kind.
    public struct DayCount: Sendable, Equatable {
        public var day: String
        public var kind: String
        public var count: Int
    }

    /// Logged decisions per day by verdict (`flag`, `block`) since `sinceDay` (from `automod_daily`).
    public static func decisionsPerDay(on conn: any SQLConnection, guild: Int64, sinceDay: String) throws -> [DayCount] {
        let day = conn.dialect == .postgres ? "to_char(date, 'YYYY-MM-DD')" : "date"
        return try conn.query("""
            SELECT \(day) AS day, verdict AS kind, decisions AS n FROM automod_daily WHERE guild_id = $1 AND date >= $2 ORDER BY 1
            """, [.int(guild), .date(sinceDay)]).map(dayCount)
    }

    /// Triggers and false positives per rule and day since `sinceDay` (from `automod_stats`), by rule id.
    public struct RuleDay: Sendable, Equatable {
        public var ruleID: Int64
        public var day: String
        public var triggers: Int
        public var falsePositives: Int
    }

    public static func ruleDays(on conn: any SQLConnection, guild: Int64, sinceDay: String) throws -> [RuleDay] {
        let day = conn.dialect == .postgres ? "to_char(date, 'YYYY-MM-DD')" : "date"
        return try conn.query("""
            SELECT rule_id, \(day) AS day, COALESCE(triggers_count, 0) AS triggers, COALESCE(false_positives, 0) AS fp FROM automod_stats
            WHERE guild_id = $1 AND date >= $2 AND rule_id IS NOT NULL ORDER BY 2
            """, [.int(guild), .date(sinceDay)]).map { row in
            RuleDay(ruleID: try row.int("rule_id"), day: try row.string("day"), triggers: Int(try row.int("triggers")),
                    falsePositives: Int(try row.int("fp")))
        }
    }

    /// Appeals filed since `since`, by their status now.
    public static func appealsByStatus(on conn: any SQLConnection, guild: Int64, since: Date) throws -> [String: Int] {
        var out: [String: Int] = [:]
        for row in try conn.query("""
            SELECT status, COUNT(*) AS n FROM automod_appeals WHERE guild_id = $1 AND created_at >= $2 GROUP BY status
            """, [.int(guild), .timestamp(since)]) {
            out[try row.string("status")] = Int(try row.int("n"))
        }
        return out
    }

    /// LLM calls counted (`gpt_usage`, members' and the guild's own) and quota denials (`gpt_denials`) per day.
    public static func llmPerDay(on conn: any SQLConnection, guild: Int64, sinceDay: String) throws -> [DayCount] {
        let day = conn.dialect == .postgres ? "to_char(usage_date, 'YYYY-MM-DD')" : "usage_date"
        return try conn.query("""
            SELECT \(day) AS day, 'calls' AS kind, SUM(call_count) AS n FROM gpt_usage WHERE guild_id = $1 AND usage_date >= $2 GROUP BY 1
            UNION ALL
            SELECT \(day) AS day, 'denied' AS kind, SUM(denials) AS n FROM gpt_denials WHERE guild_id = $1 AND usage_date >= $2 GROUP BY 1
            ORDER BY 1
            """, [.int(guild), .date(sinceDay)]).map(dayCount)
    }

    /// Support tickets of the guild by status (all time).
    public static func ticketsByStatus(on conn: any SQLConnection, guild: Int64) throws -> [String: Int] {
        var out: [String: Int] = [:]
        for row in try conn.query("SELECT COALESCE(status, 'open') AS status, COUNT(*) AS n FROM support_tickets WHERE guild_id = $1 GROUP BY 1",
                                  [.int(guild)]) {
            out[try row.string("status")] = Int(try row.int("n"))
        }
        return out
    }

    /// FAQ proposals waiting for staff.
    public static func pendingProposals(on conn: any SQLConnection, guild: Int64) throws -> Int {
        Int(try conn.queryFirst("SELECT COUNT(*) AS n FROM faq_proposals WHERE guild_id = $1 AND status = 'pending'", [.int(guild)])?.int("n") ?? 0)
    }

    /// The guild's most frequent FAQ searches that found nothing since `since` (the FAQ's gaps).
    public static func zeroResultQueries(on conn: any SQLConnection, guild: Int64, since: Date, limit: Int) throws -> [(query: String, count: Int)] {
        try conn.query("""
            SELECT lower(query) AS q, COUNT(*) AS n FROM faq_search_logs
            WHERE guild_id = $1 AND results_count = 0 AND searched_at >= $2 AND query IS NOT NULL
            GROUP BY lower(query) ORDER BY n DESC, q LIMIT $3
            """, [.int(guild), .timestamp(since), .int(Int64(limit))]).map { (try $0.string("q"), Int(try $0.int("n"))) }
    }

    /// The guilds this store has rules or settings of (at most 500), for an unscoped token's guild switcher. A guild
    /// with logs has rules too (its first message imports the default pack), so the logs, the largest table, are
    /// not read.
    public static func knownGuilds(on conn: any SQLConnection) throws -> [Int64] {
        try conn.query("""
            SELECT guild_id FROM automod_rules UNION SELECT guild_id FROM bot_settings ORDER BY guild_id LIMIT 500
            """, []).map { try $0.int("guild_id") }
    }

    private static func dayCount(_ row: SQLRow) throws -> DayCount {
        DayCount(day: try row.string("day"), kind: try row.string("kind"), count: Int(try row.optionalInt("n") ?? 0))
    }
}
