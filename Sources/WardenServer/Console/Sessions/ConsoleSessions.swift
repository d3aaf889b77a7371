import Foundation
import WardenStore

/// The console's server-side sessions. Signing in with an API token opens one: a random id goes into an
/// HttpOnly cookie and only its hash into `console_sessions`. A session ends when it is signed out, when it
/// has been idle longer than ``idleLimit``, or when its token is revoked (checked on every request, so a
/// revocation ends the token's sessions at once).
public final class ConsoleSessions: Sendable {
    public let database: any Database
    public let tokens: TokenStore
    /// How long a session lives without a request (default 12 hours).
    public let idleLimit: TimeInterval
    private let clock: @Sendable () -> Date
    /// A session's idle clock is moved at most this often, so pages read without writing the store each time.
    static let touchInterval: TimeInterval = 60

    public init(database: any Database, tokens: TokenStore, idleLimit: TimeInterval = 12 * 3600,
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database; self.tokens = tokens; self.idleLimit = idleLimit; self.clock = clock
    }

    /// Opens a session for a token: nil when the token is unknown, revoked, or a bot's (the console is for people).
    /// - Returns: the session id for the cookie (shown nowhere else) and the session.
    public func signIn(token: String) async throws -> (cookie: String, session: ConsoleSession)? {
        guard !token.isEmpty, token.count <= 256, let principal = try await tokens.principal(for: token), principal.role != .bot else {
            return nil
        }
        let id = SessionSecrets.random()
        let csrf = SessionSecrets.random()
        let idHash = SessionSecrets.hash(id)
        let now = clock()
        try await database.transaction { conn in
            try ConsoleSessionRepository.insert(on: conn, idHash: idHash, token: principal.tokenID, csrf: csrf, at: now)
        }
        return (id, ConsoleSession(idHash: idHash, principal: principal, csrf: csrf))
    }

    /// The live session a cookie names, or nil. `touch: false` reads it without moving its idle clock (the page's
    /// own background polls must not keep an unattended console signed in).
    public func session(cookie: Substring, touch: Bool = true) async throws -> ConsoleSession? {
        guard SessionSecrets.isWellFormed(cookie) else { return nil }
        let idHash = SessionSecrets.hash(String(cookie))
        let now = clock()
        let idleLimit = self.idleLimit
        let found = try await database.transaction { conn in
            try ConsoleSessionRepository.active(on: conn, idHash: idHash, idleSince: now.addingTimeInterval(-idleLimit))
        }
        guard let found, let role = Role(rawValue: found.role) else { return nil }
        if touch, now.timeIntervalSince(found.lastSeenAt) > Self.touchInterval {
            try await database.transaction { conn in try ConsoleSessionRepository.touch(on: conn, idHash: idHash, at: now) }
        }
        return ConsoleSession(idHash: idHash, principal: Principal(tokenID: found.tokenID, role: role, guild: found.guildID, user: found.userID),
                              csrf: found.csrf)
    }

    /// Ends a session (signing out).
    public func signOut(_ session: ConsoleSession) async throws {
        let now = clock()
        try await database.transaction { conn in try ConsoleSessionRepository.revoke(on: conn, idHash: session.idHash, at: now) }
    }

    // MARK: Members

    /// How long a member's appeal-form session lives.
    static let memberLifetime: TimeInterval = 2 * 3600

    /// Opens an appeal-form session for a member Discord vouched for.
    public func signInMember(guild: Int64, user: Int64, username: String) async throws -> (cookie: String, session: MemberSession) {
        let id = SessionSecrets.random()
        let csrf = SessionSecrets.random()
        let idHash = SessionSecrets.hash(id)
        let now = clock()
        try await database.transaction { conn in
            try ConsoleSessionRepository.insertMember(on: conn, idHash: idHash, guild: guild, user: user, username: username, csrf: csrf,
                                                      at: now, expires: now.addingTimeInterval(Self.memberLifetime))
        }
        return (id, MemberSession(idHash: idHash, guild: guild, user: user, username: username, csrf: csrf))
    }

    /// The member session a cookie names, or nil.
    public func member(cookie: Substring) async throws -> MemberSession? {
        guard SessionSecrets.isWellFormed(cookie) else { return nil }
        let idHash = SessionSecrets.hash(String(cookie))
        let now = clock()
        return try await database.transaction { conn in
            try ConsoleSessionRepository.activeMember(on: conn, idHash: idHash, at: now)
        }.map { MemberSession(idHash: idHash, guild: $0.guildID, user: $0.userID, username: $0.username, csrf: $0.csrf) }
    }

    /// Ends a member's appeal-form session.
    public func signOutMember(_ session: MemberSession) async throws {
        let now = clock()
        try await database.transaction { conn in try ConsoleSessionRepository.revokeMember(on: conn, idHash: session.idHash, at: now) }
    }

    /// Removes sessions that ended more than a day ago.
    public func prune() async throws {
        let cutoff = clock().addingTimeInterval(-max(idleLimit, 86_400))
        try await database.transaction { conn in try ConsoleSessionRepository.prune(on: conn, before: cutoff) }
    }
}
