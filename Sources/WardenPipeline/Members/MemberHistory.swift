import Foundation
import WardenCore
import WardenStore

/// A member's automod record in one guild, for moderators: escalation points by rule type and the most
/// recent automod logs. The HTTP API encodes it with snake_case keys and ISO 8601 dates.
public struct MemberHistory: Codable, Sendable, Equatable {
    /// Points one rule type has given the member (they decay from `last_violation`).
    public struct Points: Codable, Sendable, Equatable {
        public var ruleType: String
        public var points: Double
        public var violations: Int
        public var lastViolation: Date
    }

    /// One automod log about the member.
    public struct Log: Codable, Sendable, Equatable {
        public var id: Int64
        public var messageId: Snowflake?
        public var channelId: Snowflake?
        public var rule: String?
        public var actionTaken: String
        public var timestamp: Date
        public var appealStatus: String
    }

    /// One case about the member (automatic or a moderator's), newest first.
    public struct Case: Codable, Sendable, Equatable {
        public var number: Int
        public var action: String
        public var reason: String?
        public var source: String
        public var moderatorId: Snowflake?
        public var durationSeconds: Int?
        public var logId: Int64?
        public var createdAt: Date
    }

    /// A temporary ban or role mute still running, and when it ends.
    public struct Punishment: Codable, Sendable, Equatable {
        public var kind: String
        public var endsAt: Date
    }

    public var guildId: Snowflake
    public var userId: Snowflake
    public var points: [Points]
    public var logs: [Log]
    public var cases: [Case]
    public var punishments: [Punishment]
}

/// Reads members' automod records (nothing here changes anything).
public struct MemberRecords: Sendable {
    public let database: any Database

    public init(database: any Database) { self.database = database }

    /// The member's points and newest `limit` logs, read in one transaction so they agree.
    public func history(guild: Int64, user: Int64, limit: Int = 50) async throws -> MemberHistory {
        let (logs, points, cases, running) = try await database.transaction { conn in
            (try AutomodRepository.logs(on: conn, guild: guild, user: user, limit: limit),
             try AutomodRepository.points(on: conn, guild: guild, user: user),
             try CaseRepository.list(on: conn, guild: guild, user: user, before: nil, limit: limit),
             try TempPunishmentRepository.running(on: conn, guild: guild, user: user))
        }
        func snowflake(_ id: Int64) -> Snowflake { Snowflake(UInt64(bitPattern: id)) }
        return MemberHistory(
            guildId: snowflake(guild), userId: snowflake(user),
            points: points.map { .init(ruleType: $0.ruleType, points: $0.totalPoints, violations: $0.violationCount, lastViolation: $0.lastViolation) },
            logs: logs.map { .init(id: $0.id, messageId: $0.messageID.map(snowflake), channelId: $0.channelID.map(snowflake), rule: $0.ruleName,
                                   actionTaken: $0.actionTaken, timestamp: $0.timestamp, appealStatus: $0.appealStatus) },
            cases: cases.map { .init(number: $0.number, action: $0.action, reason: $0.reason, source: $0.source, moderatorId: $0.moderatorID.map(snowflake),
                                     durationSeconds: $0.durationSeconds, logId: $0.logID, createdAt: $0.createdAt) },
            punishments: running.map { .init(kind: $0.kind, endsAt: $0.endsAt) })
    }
}

extension MemberRecords {
    /// One page of the guild's automod logs matching `filter`, newest first, after the keyset cursor `before`
    /// (a log id); `next` is the cursor of the following page, nil on the last.
    public func searchLogs(guild: Int64, filter: LogSearch.Filter, before: Int64?, limit: Int = 50) async throws
        -> (rows: [LogSearch.Row], next: Int64?)
    {
        let limit = max(1, min(limit, 1_000))
        let rows = try await database.transaction { conn in
            try LogSearch.page(on: conn, guild: guild, filter: filter, before: before, limit: limit + 1)
        }
        let shown = Array(rows.prefix(limit))
        return (shown, rows.count > limit ? shown.last?.id : nil)
    }
}

extension MemberRecords {
    /// One automod log of the guild with the appeal against it, if any.
    /// - Throws: `AppealError.logNotFound` when the guild has no such log.
    public func log(guild: Int64, id: Int64) async throws -> (log: AppealRepository.LogRecord, appeal: Int64?) {
        try await database.transaction { conn in
            guard let log = try AppealRepository.log(on: conn, guild: guild, id: id) else { throw AppealError.logNotFound(id, guild: guild) }
            return (log, try AppealRepository.appeal(on: conn, guild: guild, log: id)?.id)
        }
    }
}
