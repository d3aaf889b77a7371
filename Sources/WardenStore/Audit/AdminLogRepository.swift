import Foundation

/// The staff audit trail (`admin_log`): who changed what, with the state before and after as JSON.
/// Written inside the transaction that makes the change, so an audited change and its record commit together.
public enum AdminLogRepository {
    /// One audit row.
    public struct Entry: Sendable, Equatable {
        public var id: Int64
        public var guildID: Int64?
        public var actorID: Int64?
        /// What was done, `noun.verb` (e.g. `faq_proposal.approve`).
        public var action: String
        public var targetType: String
        public var targetID: String?
        /// JSON in the store's normal form (decode it; text differs between dialects).
        public var beforeJSON: String?
        public var afterJSON: String?
        public var createdAt: Date
    }

    /// Appends one audit row on `conn`.
    @discardableResult
    public static func record(on conn: any SQLConnection, guild: Int64?, actor: Int64?, action: String, targetType: String,
                              targetID: String?, beforeJSON: String?, afterJSON: String?, at now: Date) throws -> Int64 {
        let row = try conn.queryFirst("""
            INSERT INTO admin_log (guild_id, actor_id, action, target_type, target_id, "before", "after", created_at)
            VALUES ($1, $2, $3, $4, $5, \(json(conn, "$6")), \(json(conn, "$7")), $8) RETURNING id
            """, [.int(guild), .int(actor), .text(action), .text(targetType), .text(targetID),
                  .json(beforeJSON), .json(afterJSON), .timestamp(now)])
        guard let row else { throw StoreError.statement("INSERT INTO admin_log", message: "no id returned", sqlState: nil) }
        return try row.int("id")
    }

    /// The audit rows of one target, oldest first.
    public static func entries(on conn: any SQLConnection, targetType: String, targetID: String) throws -> [Entry] {
        try conn.query("""
            SELECT id, guild_id, actor_id, action, target_type, target_id, "before", "after", created_at
            FROM admin_log WHERE target_type = $1 AND target_id = $2 ORDER BY id
            """, [.text(targetType), .text(targetID)]).map { row in
            Entry(id: try row.int("id"), guildID: try row.optionalInt("guild_id"), actorID: try row.optionalInt("actor_id"),
                  action: try row.string("action"), targetType: try row.string("target_type"),
                  targetID: try row.optionalString("target_id"), beforeJSON: try row.optionalString("before"),
                  afterJSON: try row.optionalString("after"), createdAt: try row.timestamp("created_at"))
        }
    }

    private static func json(_ conn: any SQLConnection, _ placeholder: String) -> String {
        conn.dialect == .sqlite ? "json(\(placeholder))" : placeholder
    }
}
