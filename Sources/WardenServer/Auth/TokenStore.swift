import Crypto
import Foundation
import Synchronization
import WardenCore
import WardenStore

/// Creates, checks and revokes API tokens. Tokens are 32 random bytes shown once (`wdn_` + base64url);
/// only their SHA-256 is stored. Checked tokens are cached briefly so the per-message path does not
/// query the store; a revocation made by this process takes effect at once, one made by another process
/// within ``cacheLifetime``.
public final class TokenStore: Sendable {
    public let database: any Database
    private let clock: @Sendable () -> Date
    /// Sharded so concurrent requests rarely wait on the same lock.
    private let shards: [CacheShard]
    /// Counts revocations, so a lookup that raced one does not cache what it read before it.
    private let revocations = Atomic<Int>(0)
    /// How long a checked token (or an unknown one) is trusted without asking the store again.
    public static let cacheLifetime: Duration = .seconds(5)

    public init(database: any Database, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.clock = clock
        shards = (0..<16).map { _ in CacheShard() }
    }

    /// A newly created token: the secret (shown once) and its stored record.
    public struct Created: Sendable {
        public var token: String
        public var record: TokenRepository.Token
    }

    /// Creates a token with `role`, reaching `guild` only (nil: every guild), held by Discord user `user` when given.
    public func create(role: Role, guild: Int64?, label: String?, user: Int64? = nil) async throws -> Created {
        try await create(role: role, guild: guild, label: label, user: user, auditedAs: nil)
    }

    /// What a token's audit row records (never its text or hash).
    private struct Audited: Encodable {
        let role: String; let guild_id: String?; let user_id: String?; let label: String?; let revoked: Bool
        init(_ t: TokenRepository.Token) {
            role = t.role; guild_id = t.guildID.map { String(UInt64(bitPattern: $0)) }; user_id = t.userID.map { String(UInt64(bitPattern: $0)) }
            label = t.label; revoked = t.revokedAt != nil
        }
        var json: String { String(decoding: (try? JSONEncoder().encode(self)) ?? Data("{}".utf8), as: UTF8.self) }
    }

    /// The `admin_log` target type of token changes (the target id is the token's id).
    public static let auditTarget = "api_token"

    /// Creates a token; with `auditedAs`, an admin's act, recorded in `admin_log` in the same transaction.
    private func create(role: Role, guild: Int64?, label: String?, user: Int64?, auditedAs admin: Principal?) async throws -> Created {
        let token = "wdn_" + SessionSecrets.random()
        let now = clock()
        let record = try await database.transaction { conn -> TokenRepository.Token in
            let id = try TokenRepository.insert(on: conn, hash: Self.hash(token), role: role.rawValue, guild: guild, label: label, user: user, at: now)
            guard let record = try TokenRepository.find(on: conn, id: id) else {
                throw StoreError.statement("SELECT FROM api_tokens", message: "token \(id) vanished", sqlState: nil)
            }
            if let admin {
                try AdminLogRepository.record(on: conn, guild: guild, actor: admin.user, action: "token.create", targetType: Self.auditTarget,
                                              targetID: String(id), beforeJSON: nil, afterJSON: Audited(record).json, at: now)
            }
            return record
        }
        return Created(token: token, record: record)
    }

    /// Creates a token on an admin's behalf, with the rules the API and the console share: a guild's admin
    /// mints tokens for that guild only, and a label is at most 200 characters.
    /// - Throws: `APIError` 403 `forbidden_guild`, 400 `invalid_field`.
    public func issue(role: Role, guild: Int64?, label: String?, user: Int64?, by admin: Principal) async throws -> Created {
        if let scope = admin.guild {
            guard let guild, guild == scope else {
                throw APIError(.forbidden, "forbidden_guild", "this token is scoped to guild \(UInt64(bitPattern: scope)); new tokens must be scoped to it too (guild_id)")
            }
        }
        if let label, label.count > 200 { throw APIError.badRequest("invalid_field", "field 'label': at most 200 characters") }
        if let label { try TextPolicy.check(label, field: "label") }
        return try await create(role: role, guild: guild, label: label, user: user, auditedAs: admin)
    }

    /// Revokes a token on an admin's behalf: a guild's admin reaches only that guild's tokens (others are "not found").
    /// - Throws: `APIError` 404, 409 `already_revoked`.
    public func revoke(id: Int64, by admin: Principal) async throws {
        guard let record = try await find(id: id), admin.guild == nil || record.guildID == admin.guild else {
            throw APIError.notFound("token \(id)")
        }
        let now = clock()
        let revoked = try await database.transaction { conn -> Bool in
            guard try TokenRepository.revoke(on: conn, id: id, at: now) else { return false }
            let after = try TokenRepository.find(on: conn, id: id) ?? record
            try AdminLogRepository.record(on: conn, guild: record.guildID, actor: admin.user, action: "token.revoke", targetType: Self.auditTarget,
                                          targetID: String(id), beforeJSON: Audited(record).json, afterJSON: Audited(after).json, at: now)
            return true
        }
        guard revoked else { throw APIError(.conflict, "already_revoked", "token \(id) is revoked already") }
        forgetCachedTokens()
    }

    /// The caller a token stands for, or nil for an unknown or revoked token.
    public func principal(for token: String) async throws -> Principal? {
        // Cached by the token text itself (it is in every request anyway), so a hit costs no hashing.
        let shard = shards[Int(token.utf8.last ?? 0) % shards.count]
        let now = ContinuousClock.now
        if let cached = shard.entries.withLock({ $0[token] }), cached.expires > now { return cached.principal }
        // A revocation between our read and our caching must win: cache only if none happened meanwhile.
        let generation = revocations.load(ordering: .acquiring)
        let hash = Self.hash(token)
        let record = try await database.transaction { conn in try TokenRepository.active(on: conn, hash: hash) }
        let principal = record.flatMap { record in Role(rawValue: record.role).map { Principal(tokenID: record.id, role: $0, guild: record.guildID, user: record.userID) } }
        shard.entries.withLock { cache in
            // Unknown tokens are cached too (a client retrying a bad token costs no query), within a bound.
            if cache.count > 4_096 { cache.removeAll() }
            guard revocations.load(ordering: .acquiring) == generation else { return }
            cache[token] = (principal, now + Self.cacheLifetime)
        }
        return principal
    }

    /// Revokes a token; false when it was unknown or revoked already.
    public func revoke(id: Int64) async throws -> Bool {
        let now = clock()
        let revoked = try await database.transaction { conn in try TokenRepository.revoke(on: conn, id: id, at: now) }
        if revoked { forgetCachedTokens() }
        return revoked
    }

    /// After a revocation: no cached check may outlive it, and a lookup racing it does not cache what it read.
    private func forgetCachedTokens() {
        revocations.add(1, ordering: .releasing)
        for shard in shards { shard.entries.withLock { $0.removeAll() } }
    }

    /// The token records of one guild, or all of them.
    public func list(guild: Int64?) async throws -> [TokenRepository.Token] {
        try await database.transaction { conn in try TokenRepository.list(on: conn, guild: guild) }
    }

    /// One token record.
    public func find(id: Int64) async throws -> TokenRepository.Token? {
        try await database.transaction { conn in try TokenRepository.find(on: conn, id: id) }
    }

    /// Hex SHA-256 of the token text.
    static func hash(_ token: String) -> String { SessionSecrets.hash(token) }
}

/// One lock's share of the token cache.
private final class CacheShard: Sendable {
    let entries = Mutex<[String: (principal: Principal?, expires: ContinuousClock.Instant)]>([:])
}
