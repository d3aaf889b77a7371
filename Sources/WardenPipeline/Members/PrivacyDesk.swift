import Foundation
import WardenCore
import WardenStore

/// What Warden keeps about members, and for how long: each guild's retention of its automod logs' and cases'
/// text (`automod.log_retention_days`; the counts stay), applied by `warden serve`'s housekeeping, and a
/// member's request to be forgotten (`warden members forget`), audited.
public struct PrivacyDesk: Sendable {
    public let database: any Database
    private let clock: @Sendable () -> Date

    public init(database: any Database, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database; self.clock = clock
    }

    /// What one pass of retention removed.
    public struct Redacted: Sendable, Equatable {
        public var logs = 0
        public var cases = 0
    }

    /// Removes the text of logs and cases older than each guild's retention, never sooner than its appeal
    /// window and never of a log with a pending appeal. Bounded per pass (`batches` of 500 logs a guild); the
    /// next pass goes on where this one stopped.
    @discardableResult
    public func applyRetention(batches: Int = 20) async throws -> Redacted {
        let now = clock()
        var done = Redacted()
        let guilds = try await database.transaction { conn in try MemberDataRepository.guildsWithRetention(on: conn) }
        var failure: (any Error)?
        for guild in guilds {
            // One guild whose settings do not load must not keep the others' text past its time.
            let policy: GuildPolicy
            do { policy = try await database.transaction { conn in try GuildPolicyLoader.load(on: conn, guild: guild) } } catch {
                failure = error
                continue
            }
            guard let days = policy.logRetentionDays else { continue }
            let cutoff = now.addingTimeInterval(-Double(max(days, policy.appealWindowDays)) * 86_400)
            for _ in 0..<max(1, batches) {
                let count = try await database.transaction { conn -> Int in
                    let logs = try MemberDataRepository.logsToRedact(on: conn, guild: guild, before: cutoff, limit: 500)
                    for log in logs {
                        try MemberDataRepository.redactLog(on: conn, id: log.id, context: log.context.flatMap(Self.withoutText), at: now)
                    }
                    return logs.count
                }
                done.logs += count
                if count < 500 { break }
            }
            done.cases += try await database.transaction { conn in try MemberDataRepository.redactCases(on: conn, guild: guild, before: cutoff) }
        }
        if let failure, done == Redacted() { throw failure }
        return done
    }

    /// Removes what Warden keeps about `user` in `guild` (see `MemberDataRepository.forget`), audited in
    /// `admin_log` with what was removed (the member's id stays there, as the record of the request).
    public func forget(guild: Int64, user: Int64, by actor: Int64?) async throws -> MemberDataRepository.Forgotten {
        let now = clock()
        return try await database.transaction { conn in
            try AutomodRepository.lockUser(on: conn, guild: guild, user: user)
            let forgotten = try MemberDataRepository.forget(on: conn, guild: guild, user: user)
            let summary = String(decoding: try DecisionWriter.encoder.encode(forgotten), as: UTF8.self)
            try AdminLogRepository.record(on: conn, guild: guild, actor: actor, action: "member.forget", targetType: "member",
                                          targetID: "\(guild):\(user)", beforeJSON: nil, afterJSON: summary, at: now)
            return forgotten
        }
    }

    /// A logged decision without the member's text: no evidence spans, no alert wording, no model analysis.
    static func withoutText(_ json: String) -> String? {
        guard var decision = try? JSONDecoder().decode(Decision.self, from: Data(json.utf8)) else { return nil }
        for index in decision.matches.indices {
            decision.matches[index].evidence.text = nil
            decision.matches[index].evidence.attachment = nil
        }
        for index in decision.actions.indices { decision.actions[index].content = nil }
        decision.analysis = nil
        return try? DecisionWriter.json(decision)
    }
}
