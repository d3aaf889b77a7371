import Foundation
import WardenCore
import WardenStore

/// Cases: every action against a member, automatic (opened by the pipeline with its log) or recorded by a
/// moderator here (through the API and the CLI alike). A manual action is numbered, audited in `admin_log`,
/// and its Discord actions go to the bot through the events feed (`manual_action`). Bans and role mutes with
/// a duration end by themselves: ``expireDue()`` tells the bot to lift each exactly once
/// (`punishment_expired`), however many instances run it and across restarts; lifting one early (a manual
/// unban or unmute, an approved appeal) cancels its end.
public struct CaseDesk: Sendable {
    public let database: any Database
    private let clock: @Sendable () -> Date

    public static let manualActionEventKind = "manual_action"
    public static let expiredEventKind = "punishment_expired"
    /// Longest reason kept.
    public static let maxReasonLength = 2_000

    public init(database: any Database, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database; self.clock = clock
    }

    /// A case as the API shows it, with the Discord actions it asked for when it was recorded.
    public struct Recorded: Sendable, Encodable {
        public let `case`: CaseView
        public let actions: [DiscordAction]
        /// The event that carries the actions to the bot (nil for a note).
        public let eventID: Int64?
        enum CodingKeys: String, CodingKey { case `case`, actions, eventID = "event_id" }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(`case`, forKey: .case); try c.encode(actions, forKey: .actions)
            if let eventID { try c.encode(eventID, forKey: .eventID) } else { try c.encodeNil(forKey: .eventID) }
        }
    }

    /// Records a moderator's action against `user`: opens the case, asks the bot for the Discord actions through
    /// the feed, starts or ends a temporary punishment, and adds a warning's points per the guild's
    /// `manual_warning_points`.
    /// - Throws: `CaseError.unknownAction`, `.invalidReason` (empty or too long), `.invalidDuration`, `.noMuteRole`.
    public func record(guild: Int64, user: Int64, action name: String, reason: String, durationSeconds: Int?, moderator: Int64) async throws -> Recorded {
        guard let action = ManualAction(rawValue: name) else { throw CaseError.unknownAction(name) }
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw CaseError.invalidReason("is required: the member and the other moderators read it") }
        guard reason.count <= Self.maxReasonLength else { throw CaseError.invalidReason("is longer than \(Self.maxReasonLength) characters (\(reason.count))") }
        do throws(InvalidText) { try TextPolicy.check(reason, field: "reason") } catch { throw CaseError.invalidReason(error.description) }
        if let seconds = durationSeconds {
            guard action.takesDuration else { throw CaseError.invalidDuration("applies to timeout, mute and ban only") }
            let limit = action == .timeout ? RuleAction.maxTimeoutSeconds : RuleAction.maxTemporarySeconds
            guard seconds > 0, seconds <= limit else { throw CaseError.invalidDuration("must be between 1 second and \(limit / 86_400) days, got \(seconds) s") }
        } else if action == .timeout {
            throw CaseError.invalidDuration("is required for a timeout")
        }
        let now = clock()
        return try await database.transaction { conn -> Recorded in
            // The member's lock first, as the message pipeline takes it, then the case counter: the same order
            // as a batch's, so the two cannot deadlock over a member's punishments.
            try AutomodRepository.lockUser(on: conn, guild: guild, user: user)
            let policy = try GuildPolicyLoader.load(on: conn, guild: guild)
            if action == .mute || action == .unmute, policy.muteRoleID == nil { throw CaseError.noMuteRole }
            let member = Snowflake(UInt64(bitPattern: user))
            var points: Double?
            if action == .warn, policy.manualWarningPoints > 0 {
                let history = try AutomodRepository.points(on: conn, guild: guild, user: user).map {
                    PointsRecord(ruleType: $0.ruleType, points: $0.totalPoints, violations: $0.violationCount, lastViolation: $0.lastViolation)
                }
                let outcome = Escalation.apply(history: history, adding: [Self.manualWarningType: policy.manualWarningPoints], now: now, ladder: policy.ladder)
                for record in outcome.records {
                    try AutomodRepository.savePoints(on: conn, guild: guild, user: user, UserPoints(
                        ruleType: record.ruleType, totalPoints: record.points, violationCount: record.violations, lastViolation: record.lastViolation), at: now)
                }
                points = policy.manualWarningPoints
            }
            let opened = try CaseRepository.open(on: conn, .init(guild: guild, user: user, moderator: moderator, action: action.rawValue, reason: reason,
                                                                 durationSeconds: durationSeconds, points: points, source: "manual"), at: now)
            let reasonText = "Case #\(opened.number): \(reason)"
            var actions: [DiscordAction] = []
            switch action {
            case .note:
                break
            case .warn:
                actions.append(DiscordAction(type: .warn, userID: member, reason: reasonText))
            case .timeout:
                let seconds = durationSeconds ?? RuleAction.defaultTimeoutSeconds
                actions.append(DiscordAction(type: .timeout, userID: member, communicationDisabledUntil: DiscordTimestamp.format(now.addingTimeInterval(Double(seconds))),
                                             durationSeconds: seconds, reason: reasonText))
            case .mute:
                var add = DiscordAction(type: .addRole, userID: member, durationSeconds: durationSeconds, reason: reasonText)
                add.roleID = policy.muteRoleID
                actions.append(add)
                if let seconds = durationSeconds {
                    try TempPunishmentRepository.start(on: conn, guild: guild, user: user, kind: "mute", roleID: policy.muteRoleID?.int64, caseID: opened.id,
                                                       logID: nil, endsAt: now.addingTimeInterval(Double(seconds)), at: now)
                } else {
                    try TempPunishmentRepository.end(on: conn, guild: guild, user: user, kind: "mute", outcome: "superseded", at: now)
                }
            case .unmute:
                var remove = DiscordAction(type: .removeRole, userID: member, reason: reasonText)
                remove.roleID = policy.muteRoleID
                actions.append(remove)
                try TempPunishmentRepository.end(on: conn, guild: guild, user: user, kind: "mute", outcome: "lifted", at: now)
            case .kick:
                actions.append(DiscordAction(type: .kick, userID: member, reason: reasonText))
            case .ban:
                actions.append(DiscordAction(type: .ban, userID: member, durationSeconds: durationSeconds, deleteMessageSeconds: 0, reason: reasonText))
                if let seconds = durationSeconds {
                    try TempPunishmentRepository.start(on: conn, guild: guild, user: user, kind: "ban", roleID: nil, caseID: opened.id, logID: nil,
                                                       endsAt: now.addingTimeInterval(Double(seconds)), at: now)
                } else {
                    try TempPunishmentRepository.end(on: conn, guild: guild, user: user, kind: "ban", outcome: "superseded", at: now)
                }
            case .unban:
                actions.append(DiscordAction(type: .unban, userID: member, reason: reasonText))
                try TempPunishmentRepository.end(on: conn, guild: guild, user: user, kind: "ban", outcome: "lifted", at: now)
            }
            let view = CaseView(opened)
            var eventID: Int64?
            if !actions.isEmpty {
                eventID = try EventRepository.append(on: conn, guild: guild, kind: Self.manualActionEventKind,
                                                     payloadJSON: try Self.json(ActionEvent(case: view, userID: member, actions: actions)), at: now)
            }
            try AdminLogRepository.record(on: conn, guild: guild, actor: moderator, action: "case.open", targetType: "case",
                                          targetID: "\(guild):\(opened.number)", beforeJSON: nil, afterJSON: try Self.json(view), at: now)
            return Recorded(case: view, actions: actions, eventID: eventID)
        }
    }

    /// Changes a case's reason; the change is audited (before and after) in `admin_log`.
    /// - Throws: `CaseError.caseNotFound`, `.invalidReason`.
    public func editReason(guild: Int64, number: Int, reason: String, moderator: Int64) async throws -> CaseView {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw CaseError.invalidReason("is required") }
        guard reason.count <= Self.maxReasonLength else { throw CaseError.invalidReason("is longer than \(Self.maxReasonLength) characters (\(reason.count))") }
        do throws(InvalidText) { try TextPolicy.check(reason, field: "reason") } catch { throw CaseError.invalidReason(error.description) }
        let now = clock()
        return try await database.transaction { conn -> CaseView in
            guard let (before, after) = try CaseRepository.setReason(on: conn, guild: guild, number: number, reason: reason, at: now) else {
                throw CaseError.caseNotFound(number)
            }
            try AdminLogRepository.record(on: conn, guild: guild, actor: moderator, action: "case.edit", targetType: "case", targetID: "\(guild):\(number)",
                                          beforeJSON: try Self.json(CaseView(before)), afterJSON: try Self.json(CaseView(after)), at: now)
            return CaseView(after)
        }
    }

    /// One case. - Throws: `CaseError.caseNotFound`.
    public func find(guild: Int64, number: Int) async throws -> CaseView {
        guard let found = try await database.transaction({ conn in try CaseRepository.find(on: conn, guild: guild, number: number) }) else {
            throw CaseError.caseNotFound(number)
        }
        return CaseView(found)
    }

    /// A guild's cases, or one member's, newest first (before case `before`), at most `limit` (1-500).
    public func list(guild: Int64, user: Int64?, before: Int?, limit: Int) async throws -> [CaseView] {
        let limit = min(max(limit, 1), 500)
        return try await database.transaction { conn in
            try CaseRepository.list(on: conn, guild: guild, user: user, before: before, limit: limit).map(CaseView.init)
        }
    }

    /// Ends the temporary punishments whose time has come, each with a `punishment_expired` event asking the
    /// bot to lift it (`unban`, or `remove_role` for a role mute), in the same transaction as marking it ended:
    /// exactly once however many instances run this. Returns how many ended.
    @discardableResult
    public func expireDue(limit: Int = 200) async throws -> Int {
        let now = clock()
        let due = try await database.transaction { conn in try TempPunishmentRepository.due(on: conn, at: now, limit: limit) }
        var ended = 0
        for punishment in due {
            let done = try await database.transaction { conn -> Bool in
                guard try TempPunishmentRepository.expire(on: conn, id: punishment.id, at: now) else { return false }
                let member = Snowflake(UInt64(bitPattern: punishment.userID))
                var lift = DiscordAction(type: punishment.kind == "ban" ? .unban : .removeRole, userID: member,
                                         reason: "Temporary \(punishment.kind) ended")
                lift.roleID = punishment.roleID.map { Snowflake(UInt64(bitPattern: $0)) }
                let event = ExpiryEvent(userID: member, kind: punishment.kind, caseID: punishment.caseID, logID: punishment.logID,
                                        endsAt: DiscordTimestamp.format(punishment.endsAt), actions: [lift])
                _ = try EventRepository.append(on: conn, guild: punishment.guildID, kind: Self.expiredEventKind, payloadJSON: try Self.json(event), at: now)
                return true
            }
            if done { ended += 1 }
        }
        return ended
    }

    /// The rule type a manual warning's points are kept under in `automod_user_history`.
    public static let manualWarningType = "manual_warn"

    struct ActionEvent: Encodable {
        let `case`: CaseView
        let userID: Snowflake
        let actions: [DiscordAction]
        enum CodingKeys: String, CodingKey { case `case`, userID = "user_id", actions }
    }

    struct ExpiryEvent: Encodable {
        let userID: Snowflake
        let kind: String
        let caseID: Int64?
        let logID: Int64?
        let endsAt: String
        let actions: [DiscordAction]
        enum CodingKeys: String, CodingKey { case userID = "user_id", kind, caseID = "case_id", logID = "log_id", endsAt = "ends_at", actions }
    }

    static func json(_ value: some Encodable) throws -> String { String(decoding: try DecisionWriter.encoder.encode(value), as: UTF8.self) }
}

/// A case as the API, the CLI and the console show it.
public struct CaseView: Sendable, Codable, Equatable {
    public var number: Int
    public var guildID: Snowflake
    public var userID: Snowflake
    /// Null for an automatic case.
    public var moderatorID: Snowflake?
    public var action: String
    public var reason: String?
    public var durationSeconds: Int?
    public var points: Double?
    public var logID: Int64?
    public var source: String
    public var createdAt: String
    public var updatedAt: String

    init(_ c: CaseRepository.Case) {
        number = c.number; guildID = Snowflake(UInt64(bitPattern: c.guildID)); userID = Snowflake(UInt64(bitPattern: c.userID))
        moderatorID = c.moderatorID.map { Snowflake(UInt64(bitPattern: $0)) }; action = c.action; reason = c.reason
        durationSeconds = c.durationSeconds; points = c.points; logID = c.logID; source = c.source
        createdAt = DiscordTimestamp.format(c.createdAt); updatedAt = DiscordTimestamp.format(c.updatedAt)
    }

    enum CodingKeys: String, CodingKey {
        case number, guildID = "guild_id", userID = "user_id", moderatorID = "moderator_id", action, reason
        case durationSeconds = "duration_seconds", points, logID = "log_id", source, createdAt = "created_at", updatedAt = "updated_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(number, forKey: .number); try c.encode(guildID, forKey: .guildID); try c.encode(userID, forKey: .userID)
        if let moderatorID { try c.encode(moderatorID, forKey: .moderatorID) } else { try c.encodeNil(forKey: .moderatorID) }
        try c.encode(action, forKey: .action)
        if let reason { try c.encode(reason, forKey: .reason) } else { try c.encodeNil(forKey: .reason) }
        if let durationSeconds { try c.encode(durationSeconds, forKey: .durationSeconds) } else { try c.encodeNil(forKey: .durationSeconds) }
        if let points { try c.encode(points, forKey: .points) } else { try c.encodeNil(forKey: .points) }
        if let logID { try c.encode(logID, forKey: .logID) } else { try c.encodeNil(forKey: .logID) }
        try c.encode(source, forKey: .source); try c.encode(createdAt, forKey: .createdAt); try c.encode(updatedAt, forKey: .updatedAt)
    }
}
