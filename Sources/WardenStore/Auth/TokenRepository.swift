import Foundation

/// API tokens (`api_tokens`): only a hash of each token is stored, with the token's role and guild scope.
/// A token without a guild reaches every guild.
public enum TokenRepository {
    /// One stored token (never the token itself).
    public struct Token: Sendable, Equatable {
        public var id: Int64
        public var role: String
        /// The one guild the token reaches, or nil for every guild.
        public var guildID: Int64?
        public var label: String?
        /// The Discord user holding the token, to whom console actions are attributed; nil when not given.
        public var userID: Int64?
        public var createdAt: Date
        public var revokedAt: Date?
    }

    /// Stores a new token's hash and returns its id.
    public static func insert(on conn: any SQLConnection, hash: String, role: String, guild: Int64?, label: String?, user: Int64? = nil,
                              at now: Date) throws -> Int64 {
        let row = try conn.queryFirst("""
            INSERT INTO api_tokens (token_hash, role, guild_id, label, user_id, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id
            """, [.text(hash), .text(role), .int(guild), .text(label), .int(user), .timestamp(now)])
        guard let row else { throw StoreError.statement("INSERT INTO api_tokens", message: "no id returned", sqlState: nil) }
        return try row.int("id")
    }

    /// The live (not revoked) token with this hash.
    public static func active(on conn: any SQLConnection, hash: String) throws -> Token? {
        try conn.queryFirst("""
            SELECT \(columns) FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL
            """, [.text(hash)]).map(token)
    }

    /// Tokens, newest first: of one guild when `guild` is given (tokens scoped to it), else all of them.
    public static func list(on conn: any SQLConnection, guild: Int64?) throws -> [Token] {
        if let guild {
            return try conn.query("""
                SELECT \(columns) FROM api_tokens WHERE guild_id = $1 ORDER BY id DESC
                """, [.int(guild)]).map(token)
        }
        return try conn.query("SELECT \(columns) FROM api_tokens ORDER BY id DESC", []).map(token)
    }

    /// One token by id (revoked or not).
    public static func find(on conn: any SQLConnection, id: Int64) throws -> Token? {
        try conn.queryFirst("SELECT \(columns) FROM api_tokens WHERE id = $1", [.int(id)]).map(token)
    }

    /// Revokes a live token; false when it was revoked already or does not exist.
    public static func revoke(on conn: any SQLConnection, id: Int64, at now: Date) throws -> Bool {
        try conn.execute("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL", [.timestamp(now), .int(id)]) == 1
    }

    static let columns = "id, role, guild_id, label, user_id, created_at, revoked_at"

    static func token(_ row: SQLRow) throws -> Token {
        Token(id: try row.int("id"), role: try row.string("role"), guildID: try row.optionalInt("guild_id"),
              label: try row.optionalString("label"), userID: try row.optionalInt("user_id"), createdAt: try row.timestamp("created_at"),
              revokedAt: try row.optionalTimestamp("revoked_at"))
    }
}
