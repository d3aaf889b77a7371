import Foundation
import WardenCore
import WardenStore

/// Gates LLM calls made for a member by the `gpt_usage` daily quota of their tier in that guild
/// (`premium_subs`; limits from `QuotaPolicy.standard`, overridden per guild by `bot_settings`
/// `llm.quota_limits`). Counting happens in the same statement as the limit check, so concurrent
/// callers (threads, processes) can never exceed it.
public struct QuotaGate: Sendable {
    /// A granted call; hand it back with `refund` when the model gave no answer.
    public struct Ticket: Sendable, Equatable {
        public let user: Int64
        public let guild: Int64
        public let day: String
        public let used: Int
        public let limit: Int?

        public init(user: Int64, guild: Int64, day: String, used: Int, limit: Int?) {
            self.user = user; self.guild = guild; self.day = day; self.used = used; self.limit = limit
        }
    }
    public enum Outcome: Sendable, Equatable {
        /// Go ahead; the ticket is nil for a call made for no member (not counted).
        case allowed(Ticket?)
        case denied(QuotaStatus)
    }

    /// The `bot_settings` place of a guild's overrides, e.g. `{"free": 10, "monthly": 50}`.
    public static let settingsScope = "llm"
    public static let settingsKey = "quota_limits"
    /// The `bot_settings` key (scope `llm`) of the guild's own daily limit: calls Warden makes for the guild
    /// itself rather than for a member (appeal triage), e.g. `200`; null is unlimited, 0 none.
    public static let guildLimitKey = "guild_daily_limit"
    /// The guild's own daily limit when the setting is absent.
    public static let defaultGuildDailyLimit = 100
    /// The `gpt_usage.user_id` that the guild's own calls are counted under: no Discord id is 0, so the
    /// guild's row never meets a member's, and the member's own quota is untouched.
    public static let guildAccount: Int64 = 0

    /// A call charged to the guild, or why none may be made.
    public enum GuildOutcome: Sendable, Equatable {
        /// Go ahead; hand the ticket back with `refund` when the model gave no answer.
        case allowed(Ticket)
        /// The guild's calls for today (UTC) reached its limit.
        case denied(limit: Int, used: Int)
    }

    /// Days of `gpt_usage` kept by `prune`.
    public static let retentionDays = 90

    public let database: any Database
    private let clock: @Sendable () -> Date

    public init(database: any Database, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database; self.clock = clock
    }

    /// Counts one call for `user` in `guild` when their quota allows it. Calls made for no member (ticket
    /// summaries, FAQ drafts) pass `nil`: allowed and not counted.
    public func consume(user: Int64?, guild: Int64) async throws -> Outcome {
        guard let user else { return .allowed(nil) }
        let now = clock()
        let day = UTCDay.of(now)
        return try await database.transaction { conn in
            let (tier, limit) = try Self.limit(on: conn, user: user, guild: guild, at: now)
            if let used = try QuotaRepository.consume(on: conn, user: user, guild: guild, day: day, limit: limit) {
                return .allowed(Ticket(user: user, guild: guild, day: day, used: used, limit: limit))
            }
            let used = try QuotaRepository.used(on: conn, user: user, guild: guild, day: day)
            // Counted per guild and day for the console's dashboard.
            try QuotaRepository.countDenial(on: conn, guild: guild, day: day)
            return .denied(QuotaStatus(tier: tier, limit: limit, used: used, remaining: 0))
        }
    }

    /// Counts one call charged to the guild itself (under ``guildAccount``) when its daily limit
    /// (`llm.guild_daily_limit`, default ``defaultGuildDailyLimit``) allows it; in one statement, like a member's.
    /// - Throws: `QuotaSettingError` when the guild's setting cannot be read.
    public func consumeForGuild(_ guild: Int64) async throws -> GuildOutcome {
        let now = clock()
        let day = UTCDay.of(now)
        return try await database.transaction { conn in
            let limit = try Self.guildLimit(on: conn, guild: guild)
            if let used = try QuotaRepository.consume(on: conn, user: Self.guildAccount, guild: guild, day: day, limit: limit) {
                return .allowed(Ticket(user: Self.guildAccount, guild: guild, day: day, used: used, limit: limit))
            }
            return .denied(limit: limit ?? 0, used: try QuotaRepository.used(on: conn, user: Self.guildAccount, guild: guild, day: day))
        }
    }

    /// The guild's own daily limit (nil: unlimited).
    static func guildLimit(on conn: any SQLConnection, guild: Int64) throws -> Int? {
        guard let (json, _) = try SettingsRepository.get(on: conn, guild: guild, scope: settingsScope, key: guildLimitKey) else {
            return defaultGuildDailyLimit
        }
        do { return try QuotaPolicy.parseGuildLimit(try JSONValue.parse(json)) } catch {
            throw QuotaSettingError(guild: guild, key: guildLimitKey, reason: "\(error)")
        }
    }

    /// Gives the call back (it got no model answer).
    public func refund(_ ticket: Ticket) async throws {
        try await database.transaction { conn in
            try QuotaRepository.refund(on: conn, user: ticket.user, guild: ticket.guild, day: ticket.day)
        }
    }

    /// Tier, limit, used and remaining today (UTC).
    public func status(user: Int64, guild: Int64) async throws -> QuotaStatus {
        let now = clock()
        return try await database.transaction { conn in
            let (tier, limit) = try Self.limit(on: conn, user: user, guild: guild, at: now)
            let used = try QuotaRepository.used(on: conn, user: user, guild: guild, day: UTCDay.of(now))
            return QuotaStatus(tier: tier, limit: limit, used: used, remaining: limit.map { max(0, $0 - used) })
        }
    }

    /// Removes usage rows older than the retention; returns how many.
    @discardableResult
    public func prune(keepingDays days: Int = QuotaGate.retentionDays) async throws -> Int {
        let cutoff = UTCDay.of(clock().addingTimeInterval(-Double(days) * 86_400))
        return try await database.transaction { conn in try QuotaRepository.prune(on: conn, before: cutoff) }
    }

    static func limit(on conn: any SQLConnection, user: Int64, guild: Int64, at now: Date) throws -> (QuotaTier, Int?) {
        let subscription = try QuotaRepository.activeSubscription(on: conn, user: user, guild: guild, at: now)
        let tier = QuotaTier(stored: subscription?.tier)
        var policy = QuotaPolicy.standard
        if let (json, _) = try SettingsRepository.get(on: conn, guild: guild, scope: settingsScope, key: settingsKey) {
            do { policy = try QuotaPolicy.parseOverrides(try JSONValue.parse(json)) } catch {
                throw QuotaSettingError(guild: guild, key: settingsKey, reason: "\(error)")
            }
        }
        return (tier, policy.limit(for: tier))
    }

}

/// A guild's `llm.quota_limits` setting cannot be read.
public struct QuotaSettingError: Error, Sendable, CustomStringConvertible {
    public var guild: Int64
    /// The setting's key in scope `llm`: `quota_limits` or `guild_daily_limit`.
    public var key: String = QuotaGate.settingsKey
    public var reason: String
    public var description: String { "guild \(guild): setting \(QuotaGate.settingsScope).\(key) is invalid: \(reason)" }
}
