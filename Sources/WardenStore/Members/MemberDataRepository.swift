import Foundation

/// Removing members' data: a guild's retention of its logs' and cases' text, and a member's request to be
/// forgotten.
public enum MemberDataRepository {
    /// Guilds that set a retention (`automod.log_retention_days`); their policy says how long it is.
    public static func guildsWithRetention(on conn: any SQLConnection) throws -> [Int64] {
        try conn.query("SELECT guild_id FROM bot_settings WHERE scope = 'automod' AND key = 'log_retention_days'", [])
            .map { try $0.int("guild_id") }
    }

    /// Up to `limit` logs of `guild` older than `cutoff` whose text is still there and that no pending appeal
    /// needs, with their decision JSON.
    public static func logsToRedact(on conn: any SQLConnection, guild: Int64, before cutoff: Date, limit: Int) throws -> [(id: Int64, context: String?)] {
        try conn.query("""
            SELECT l.id, l.context FROM automod_logs l
            WHERE l.guild_id = $1 AND l.timestamp < $2 AND l.redacted_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM automod_appeals a WHERE a.log_id = l.id AND a.status = 'pending')
            ORDER BY l.id LIMIT $3
            """, [.int(guild), .timestamp(cutoff), .int(Int64(limit))]).map { (try $0.int("id"), try $0.optionalString("context")) }
    }

    /// Removes one log's text: the message, the evidence, the model's analysis, and its (decided) appeal's
    /// reason and triage; `context` is the decision without its texts.
    public static func redactLog(on conn: any SQLConnection, id: Int64, context: String?, at now: Date) throws {
        try conn.execute("""
            UPDATE automod_logs SET message_content = '', evidence = $2, ai_analysis = NULL, context = $3, redacted_at = $4 WHERE id = $1
            """, [.int(id), .json("[]"), context.map { .json($0) } ?? .null, .timestamp(now)])
        try conn.execute("UPDATE appeal_triage SET summary = NULL, evidence = NULL WHERE appeal_id IN (SELECT id FROM automod_appeals WHERE log_id = $1)", [.int(id)])
        try conn.execute("UPDATE automod_appeals SET reason = '' WHERE log_id = $1", [.int(id)])
    }

    /// Removes the reasons of `guild`'s cases opened before `cutoff`; returns how many.
    @discardableResult
    public static func redactCases(on conn: any SQLConnection, guild: Int64, before cutoff: Date) throws -> Int {
        try conn.execute("UPDATE cases SET reason = NULL WHERE guild_id = $1 AND created_at < $2 AND reason IS NOT NULL",
                         [.int(guild), .timestamp(cutoff)])
    }

    /// What forgetting a member removed, table by table.
    public struct Forgotten: Sendable, Codable, Equatable {
        public var logs = 0, appeals = 0, points = 0, cases = 0, punishments = 0, joins = 0, quota = 0, sessions = 0
        public var verifications = 0, tickets = 0
    }

    /// Removes what Warden keeps about `user` in `guild`: automod logs and their appeals, points, cases, ended
    /// punishments (a running one stays, so its end still lifts it), joins, LLM quota counts, appeal-form
    /// sessions and screenshot verifications; the member's tickets keep their rows (the guild's counts) with
    /// their text replaced.
    public static func forget(on conn: any SQLConnection, guild: Int64, user: Int64) throws -> Forgotten {
        let member: [SQLValue] = [.int(guild), .int(user)]
        var out = Forgotten()
        try conn.execute("DELETE FROM appeal_triage WHERE appeal_id IN (SELECT id FROM automod_appeals WHERE guild_id = $1 AND user_id = $2)", member)
        out.appeals = try conn.execute("DELETE FROM automod_appeals WHERE guild_id = $1 AND user_id = $2", member)
        out.logs = try conn.execute("DELETE FROM automod_logs WHERE guild_id = $1 AND user_id = $2", member)
        out.points = try conn.execute("DELETE FROM automod_user_history WHERE guild_id = $1 AND user_id = $2", member)
        out.cases = try conn.execute("DELETE FROM cases WHERE guild_id = $1 AND user_id = $2", member)
        out.punishments = try conn.execute("DELETE FROM temp_punishments WHERE guild_id = $1 AND user_id = $2 AND ended_at IS NOT NULL", member)
        out.joins = try conn.execute("DELETE FROM member_joins WHERE guild_id = $1 AND user_id = $2", member)
        try conn.execute("DELETE FROM member_names WHERE guild_id = $1 AND user_id = $2", member)
        out.quota = try conn.execute("DELETE FROM gpt_usage WHERE guild_id = $1 AND user_id = $2", member)
        out.sessions = try conn.execute("DELETE FROM member_sessions WHERE guild_id = $1 AND user_id = $2", member)
        out.verifications = try conn.execute("DELETE FROM verification_tickets WHERE guild_id = $1 AND user_id = $2", member)
        let tickets = "SELECT id FROM support_tickets WHERE guild_id = $1 AND user_id = $2"
        try conn.execute("UPDATE ticket_messages SET content = '[forgotten]' WHERE ticket_id IN (\(tickets))", member)
        try conn.execute("UPDATE ticket_summaries SET summary = '[forgotten]' WHERE ticket_id IN (\(tickets))", member)
        out.tickets = try conn.execute("UPDATE support_tickets SET username = NULL, description = '[forgotten]' WHERE guild_id = $1 AND user_id = $2", member)
        return out
    }
}
