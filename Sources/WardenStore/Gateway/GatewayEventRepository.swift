import Foundation

/// Judged Gateway dispatches that are not new messages (`gateway_events`): an edit, embeds added to a message,
/// a native AutoMod hit. Each is claimed once per guild by its event key, so a re-delivered dispatch gets its
/// first decision back, as `message_decisions` does for new messages.
public enum GatewayEventRepository {
    /// Claims `key` for `guild` with an empty decision; false when it was claimed before (a re-delivery).
    public static func claim(on conn: any SQLConnection, guild: Int64, key: String, message: Int64?, at now: Date) throws -> Bool {
        try conn.queryFirst("""
            INSERT INTO gateway_events (guild_id, event_key, message_id, decision, created_at) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (guild_id, event_key) DO NOTHING RETURNING id
            """, [.int(guild), .text(key), message.map { .int($0) } ?? .null, .json("{}"), .timestamp(now)]) != nil
    }

    public static func storeDecision(on conn: any SQLConnection, guild: Int64, key: String, decisionJSON: String) throws {
        try conn.execute("UPDATE gateway_events SET decision = $1 WHERE guild_id = $2 AND event_key = $3",
                         [.json(decisionJSON), .int(guild), .text(key)])
    }

    public static func storedDecision(on conn: any SQLConnection, guild: Int64, key: String) throws -> String? {
        try conn.queryFirst("SELECT decision FROM gateway_events WHERE guild_id = $1 AND event_key = $2",
                            [.int(guild), .text(key)])?.string("decision")
    }

    /// The message's latest decision: of its last judged revision, else of the message itself; nil when Warden
    /// has not judged it (or has forgotten it).
    public static func latestDecision(on conn: any SQLConnection, guild: Int64, message: Int64) throws -> String? {
        if let row = try conn.queryFirst("""
            SELECT decision FROM gateway_events WHERE guild_id = $1 AND message_id = $2 ORDER BY id DESC LIMIT 1
            """, [.int(guild), .int(message)]) {
            return try row.string("decision")
        }
        return try AutomodRepository.storedDecision(on: conn, guild: guild, message: message)
    }

    /// Deletes remembered dispatches older than `cutoff`, with the message decisions of the same age.
    @discardableResult
    public static func prune(on conn: any SQLConnection, before cutoff: Date) throws -> Int {
        try conn.execute("DELETE FROM gateway_events WHERE created_at < $1", [.timestamp(cutoff)])
    }
}
