import Foundation

/// A logged message as a rule backtest replays it: what `automod_logs` keeps of the message (its text,
/// member, channel and time; not its roles, mentions or attachments) and where its appeal stands.
public struct ReplayLog: Sendable, Equatable {
    public var id: Int64
    public var userID: Int64
    public var messageID: Int64?
    public var channelID: Int64?
    public var content: String
    /// When the message was sent (the violation time), or logged for rows from before migration 3.
    public var sentAt: Date
    /// `none`, `pending`, `approved` or `denied`.
    public var appealStatus: String
}

extension AutomodRepository {
    /// One page of the guild's logs, newest first: those with an id below `before` (nil: from the newest),
    /// at most `limit`. Keyset paging on `idx_automod_logs_guild_id`, so each page costs the same however
    /// deep into the log it is, and nothing but the page is held.
    public static func replayPage(on conn: any SQLConnection, guild: Int64, before: Int64?, limit: Int) throws -> [ReplayLog] {
        guard limit > 0 else { return [] }
        return try conn.query("""
            SELECT id, user_id, message_id, channel_id, message_content, timestamp, violation_at, appeal_status
            FROM automod_logs WHERE guild_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3
            """, [.int(guild), .int(before ?? Int64.max), .int(Int64(limit))]).map { row in
            ReplayLog(id: try row.int("id"), userID: try row.int("user_id"), messageID: try row.optionalInt("message_id"),
                      channelID: try row.optionalInt("channel_id"), content: try row.optionalString("message_content") ?? "",
                      sentAt: try row.optionalTimestamp("violation_at") ?? row.optionalTimestamp("timestamp") ?? .distantPast,
                      appealStatus: try row.optionalString("appeal_status") ?? "none")
        }
    }
}
