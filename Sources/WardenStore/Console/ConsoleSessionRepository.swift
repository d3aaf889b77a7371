import Foundation

/// SQL for the console's sign-in sessions (`console_sessions`) and the appeal form's member sessions
/// (`member_sessions`). Only the SHA-256 of a session id is stored; the id itself lives in the browser's cookie.
public enum ConsoleSessionRepository {
    /// A live console session with the token it was opened with.
    public struct Session: Sendable, Equatable {
        public var tokenID: Int64
        public var role: String
        public var guildID: Int64?
        public var userID: Int64?
        public var csrf: String
        public var lastSeenAt: Date
    }

    /// A live appeal-form session of a member signed in with Discord.
    public struct MemberSession: Sendable, Equatable {
        public var guildID: Int64
        public var userID: Int64
        public var username: String
        public var csrf: String
    }

    /// Stores a new console session (the hash of its id) for a token, seen now.
    public static func insert(on conn: any SQLConnection, idHash: String, token: Int64, csrf: String, at now: Date) throws {
        try conn.execute("""
            INSERT INTO console_sessions (id_hash, token_id, csrf, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)
            """, [.text(idHash), .int(token), .text(csrf), .timestamp(now)])
    }

    /// The session, unless it was signed out, has been idle since before `idleSince`, or its token was revoked.
    public static func active(on conn: any SQLConnection, idHash: String, idleSince: Date) throws -> Session? {
        try conn.queryFirst("""
            SELECT s.token_id, s.csrf, s.last_seen_at, t.role, t.guild_id, t.user_id
            FROM console_sessions s JOIN api_tokens t ON t.id = s.token_id
            WHERE s.id_hash = $1 AND s.revoked_at IS NULL AND t.revoked_at IS NULL AND s.last_seen_at >= $2
            """, [.text(idHash), .timestamp(idleSince)]).map { row in
            Session(tokenID: try row.int("token_id"), role: try row.string("role"), guildID: try row.optionalInt("guild_id"),
                    userID: try row.optionalInt("user_id"), csrf: try row.string("csrf"), lastSeenAt: try row.timestamp("last_seen_at"))
        }
    }

    /// Moves the session's idle clock to `now`.
    public static func touch(on conn: any SQLConnection, idHash: String, at now: Date) throws {
        try conn.execute("UPDATE console_sessions SET last_seen_at = $2 WHERE id_hash = $1 AND revoked_at IS NULL",
                         [.text(idHash), .timestamp(now)])
    }

    /// Ends the session; false when it was ended already or never existed.
    @discardableResult
    public static func revoke(on conn: any SQLConnection, idHash: String, at now: Date) throws -> Bool {
        try conn.execute("UPDATE console_sessions SET revoked_at = $2 WHERE id_hash = $1 AND revoked_at IS NULL",
                         [.text(idHash), .timestamp(now)]) == 1
    }

    /// Removes sessions ended or idle since before `before`, and member sessions expired before it.
    public static func prune(on conn: any SQLConnection, before: Date) throws {
        try conn.execute("DELETE FROM console_sessions WHERE last_seen_at < $1 OR revoked_at < $1", [.timestamp(before)])
        try conn.execute("DELETE FROM member_sessions WHERE expires_at < $1 OR revoked_at < $1", [.timestamp(before)])
    }

    // MARK: Members (the appeal form)

    /// Stores a new appeal-form session of a member, ending at `expires`.
    public static func insertMember(on conn: any SQLConnection, idHash: String, guild: Int64, user: Int64, username: String,
                                    csrf: String, at now: Date, expires: Date) throws {
        try conn.execute("""
            INSERT INTO member_sessions (id_hash, guild_id, user_id, username, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
            """, [.text(idHash), .int(guild), .int(user), .text(username), .text(csrf), .timestamp(now), .timestamp(expires)])
    }

    /// The member session, unless signed out or expired at `now`.
    public static func activeMember(on conn: any SQLConnection, idHash: String, at now: Date) throws -> MemberSession? {
        try conn.queryFirst("""
            SELECT guild_id, user_id, username, csrf FROM member_sessions WHERE id_hash = $1 AND revoked_at IS NULL AND expires_at > $2
            """, [.text(idHash), .timestamp(now)]).map { row in
            MemberSession(guildID: try row.int("guild_id"), userID: try row.int("user_id"), username: try row.string("username"),
                          csrf: try row.string("csrf"))
        }
    }

    /// Ends a member's session; false when it was ended already or never existed.
    @discardableResult
    public static func revokeMember(on conn: any SQLConnection, idHash: String, at now: Date) throws -> Bool {
        try conn.execute("UPDATE member_sessions SET revoked_at = $2 WHERE id_hash = $1 AND revoked_at IS NULL",
                         [.text(idHash), .timestamp(now)]) == 1
    }
}
