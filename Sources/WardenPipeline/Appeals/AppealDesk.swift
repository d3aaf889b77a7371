import Foundation
import WardenCore
import WardenStore

/// Appeals against automod actions: members file them, moderators list, approve or deny them.
///
/// Approving reverses what can be reversed: in one transaction the appeal is decided, the member's points
/// from that log are given back, the rule's false positive is counted, and an `appeal_reversal` event asks
/// the bot to lift the timeout or ban. Denying records the moderator's note and tells the bot
/// (`appeal_denied`). Every decision is written to `admin_log` with the appeal before and after.
///
/// With `triage` on (an LLM is configured), filing also queues the appeal's triage (`AppealTriageJob`) in
/// the same transaction: the model's brief, shown beside the appeal, which never decides it.
public final class AppealDesk: Sendable {
    public let database: any Database
    /// Whether filing queues a triage job (an LLM is configured).
    public let triage: Bool
    private let clock: @Sendable () -> Date

    /// The longest reason or note kept (characters).
    public static let maxTextLength = 2_000
    /// Events feed kinds.
    public static let reversalEventKind = "appeal_reversal"
    public static let deniedEventKind = "appeal_denied"

    public init(database: any Database, triage: Bool = false, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database; self.triage = triage; self.clock = clock
    }

    // MARK: Members

    /// Files the member's appeal against one automod log of the guild, and marks the log `pending`; with
    /// `triage` on, queues its triage in the same transaction.
    /// - Throws: `AppealError.invalidReason` (empty or over 2000 characters), `.logNotFound` (no such log in
    ///   this guild), `.notYourLog` (the log is about someone else), `.alreadyAppealed` (one appeal per log,
    ///   whatever became of it), `.windowClosed` (older than `automod.appeal_window_days`, default 14).
    public func file(guild: Int64, logID: Int64, user: Int64, reason: String) async throws -> Appeal {
        let reason = try Self.text(reason, required: true, AppealError.invalidReason) ?? ""
        let now = clock()
        let triage = self.triage
        return try await database.transaction { conn in
            guard let log = try AppealRepository.log(on: conn, guild: guild, id: logID) else {
                throw AppealError.logNotFound(logID, guild: guild)
            }
            guard log.userID == user else { throw AppealError.notYourLog(log: logID, user: user) }
            if let existing = try AppealRepository.appeal(on: conn, guild: guild, log: logID) {
                throw AppealError.alreadyAppealed(log: logID, status: try Self.status(existing.status, log: logID))
            }
            let days = try Self.policy(on: conn, guild: guild, [.appealWindowDays]).appealWindowDays
            guard now <= log.timestamp.addingTimeInterval(Double(days) * 86_400) else {
                throw AppealError.windowClosed(log: logID, days: days)
            }
            guard let record = try AppealRepository.insert(on: conn, guild: guild, log: logID, user: user, reason: reason, at: now) else {
                // A concurrent filing committed between our check and our insert.
                let status = try AppealRepository.appeal(on: conn, guild: guild, log: logID).map { try Self.status($0.status, log: logID) }
                throw AppealError.alreadyAppealed(log: logID, status: status ?? .pending)
            }
            try AppealRepository.setLogAppealStatus(on: conn, guild: guild, log: logID, status: AppealStatus.pending.rawValue)
            if triage {
                try AppealTriageRepository.insertQueued(on: conn, appeal: record.id, guild: guild,
                                                        injectionSignalsJSON: AppealTriage.signalsJSON(reason: reason, message: log.messageContent),
                                                        at: now)
                try AppealTriageJob.enqueue(on: conn, appeal: record.id, guild: guild, at: now)
            }
            return try Self.appeal(record)
        }
    }

    /// A member's automod logs in the guild as the appeal form shows them: what was done, whether it is
    /// appealed, and whether it can still be (the guild's `automod.appeal_window_days`).
    public struct MemberLog: Sendable, Equatable {
        public var id: Int64
        public var timestamp: Date
        public var rule: String?
        public var actionTaken: String
        public var messageContent: String?
        /// `none`, `pending`, `approved` or `denied`.
        public var appealStatus: String
        /// Not appealed yet and still inside the window.
        public var appealable: Bool
    }

    /// The member's newest `limit` logs of the guild, for the banned members' appeal form.
    public func memberLogs(guild: Int64, user: Int64, limit: Int = 50) async throws -> [MemberLog] {
        let now = clock()
        return try await database.transaction { conn in
            let days = try Self.policy(on: conn, guild: guild, [.appealWindowDays]).appealWindowDays
            let logs = try LogSearch.page(on: conn, guild: guild, filter: LogSearch.Filter(member: user), before: nil, limit: limit)
            return logs.map { log in
                MemberLog(id: log.id, timestamp: log.timestamp, rule: log.ruleName, actionTaken: log.actionTaken, messageContent: log.messageContent,
                          appealStatus: log.appealStatus,
                          appealable: log.appealStatus == AppealStatus.none.rawValue && now <= log.timestamp.addingTimeInterval(Double(days) * 86_400))
            }
        }
    }

    // MARK: Moderators

    /// The guild's appeals, newest first, at most `limit` (capped at 500), with the message, rule, evidence,
    /// AI analysis and triage of each; only those of `status` when it is given (`none` matches nothing: it is a log's
    /// state, not an appeal's).
    public func list(guild: Int64, status: AppealStatus?, limit: Int = 50) async throws -> [AppealView] {
        let limit = max(0, min(limit, 500))
        return try await database.transaction { conn in
            let listings = try AppealRepository.list(on: conn, guild: guild, status: status?.rawValue, limit: limit)
            let triages = try AppealTriageRepository.triages(on: conn, guild: guild, appeals: listings.map(\.appeal.id))
            return try listings.map { try Self.view($0, triage: triages[$0.appeal.id]) }
        }
    }

    /// One page of the console's appeal queue: appeals of `status`, newest first, narrowed by `filter`, after
    /// the keyset cursor `before`; `next` is the cursor of the following page (nil on the last).
    public func queue(guild: Int64, status: AppealStatus, filter: AppealRepository.QueueFilter = .init(), before: Int64? = nil,
                      limit: Int = 25) async throws -> AppealQueuePage {
        let limit = max(1, min(limit, 200))
        return try await database.transaction { conn in
            // One more than shown tells whether a next page exists.
            let listings = try AppealRepository.queue(on: conn, guild: guild, status: status.rawValue, filter: filter, before: before,
                                                      limit: limit + 1)
            let shown = Array(listings.prefix(limit))
            let triages = try AppealTriageRepository.triages(on: conn, guild: guild, appeals: shown.map(\.appeal.id))
            return AppealQueuePage(appeals: try shown.map { try Self.view($0, triage: triages[$0.appeal.id]) },
                                   next: listings.count > limit ? shown.last?.appeal.id : nil)
        }
    }

    /// The pending appeals just newer and just older than `id` among those `filter` leaves, for working through the
    /// queue one by one.
    public func pendingNeighbours(guild: Int64, id: Int64, filter: AppealRepository.QueueFilter = .init()) async throws
        -> (newer: Int64?, older: Int64?)
    {
        try await database.transaction { conn in try AppealRepository.pendingNeighbours(on: conn, guild: guild, id: id, filter: filter) }
    }

    /// How many appeals of the guild are waiting for a moderator.
    public func pendingCount(guild: Int64) async throws -> Int {
        try await database.transaction { conn in try AppealRepository.count(on: conn, guild: guild, status: AppealStatus.pending.rawValue) }
    }

    /// The guild's pending appeals, newest first.
    public func pending(guild: Int64, limit: Int = 50) async throws -> [AppealView] {
        try await list(guild: guild, status: .pending, limit: limit)
    }

    /// One appeal of the guild with its log and triage.
    /// - Throws: `AppealError.appealNotFound` when the guild has no such appeal.
    public func show(guild: Int64, id: Int64) async throws -> AppealView {
        try await database.transaction { conn in
            guard let listing = try AppealRepository.listing(on: conn, guild: guild, id: id) else {
                throw AppealError.appealNotFound(id, guild: guild)
            }
            return try Self.view(listing, triage: try AppealTriageRepository.triage(on: conn, appeal: id, guild: guild))
        }
    }

    /// Approves a pending appeal (the automod action is overturned): in one transaction the appeal is approved, the log marked approved, the
    /// points the log added given back (clamped at 0), one false positive counted for the log's rule (when the
    /// rule still exists) on the log's UTC day, an `appeal_reversal` event appended (with `remove_timeout`/`unban` actions when the
    /// decision timed out or banned the member; without actions otherwise, so the bot can still tell the
    /// member) and the change audited in `admin_log`.
    /// - Throws: `AppealError.appealNotFound`, `.alreadyDecided` (also when a concurrent decision won),
    ///   `.invalidNote` (over 2000 characters).
    public func approve(guild: Int64, id: Int64, moderator: Int64, note: String? = nil) async throws -> AppealOutcome {
        let note = try note.flatMap { try Self.text($0, required: false, AppealError.invalidNote) }
        let now = clock()
        return try await database.transaction { conn in
            let (before, log) = try Self.pendingAppeal(on: conn, guild: guild, id: id)
            let decision = try Self.decision(of: log)
            let halfLife = try Self.policy(on: conn, guild: guild, [.escalationLadder]).ladder.halfLifeHours
            try Self.decide(on: conn, guild: guild, id: id, .approved, moderator: moderator, note: note, at: now)
            try AppealRepository.setLogAppealStatus(on: conn, guild: guild, log: log.id, status: AppealStatus.approved.rawValue)

            // Same lock as the pipeline's, so a message being decided for this member sees the refund or not at all.
            try AutomodRepository.lockUser(on: conn, guild: guild, user: log.userID)
            let history = try AutomodRepository.points(on: conn, guild: guild, user: log.userID)
            // Points were counted at the violation's time, so what is left of them decays from there.
            let refunds = Self.refunds(Decider.points(for: decision.matches), loggedAt: log.violationAt ?? log.timestamp, history: history,
                                       halfLifeHours: halfLife)
            for refund in refunds {
                try AutomodRepository.savePoints(on: conn, guild: guild, user: log.userID, refund.record, at: now)
            }
            if let rule = log.ruleID {
                try AppealRepository.countFalsePositive(on: conn, guild: guild, rule: rule, day: UTCDay.of(log.timestamp), at: now)
            }

            // A temporary ban of this log ends now, not at its time: its unban is among the reversals.
            try TempPunishmentRepository.end(on: conn, guild: guild, user: log.userID, kind: nil, logID: log.id, outcome: "lifted", at: now)
            let actions = Self.reversals(of: decision, appeal: id)
            let event = ReversalEvent(appealID: id, logID: log.id, messageID: log.messageID.map(Self.snowflake),
                                      userID: Self.snowflake(log.userID), actions: actions)
            let eventID = try EventRepository.append(on: conn, guild: guild, kind: Self.reversalEventKind,
                                                     payloadJSON: try Self.json(event), at: now)
            let after = try Self.audit(on: conn, guild: guild, id: id, before: before, moderator: moderator, action: "appeal.approve", at: now)
            return AppealOutcome(view: after, actions: actions,
                                 refundedPoints: Dictionary(uniqueKeysWithValues: refunds.map { ($0.record.ruleType, $0.points) }),
                                 eventID: eventID)
        }
    }

    /// Rejects a pending appeal with the moderator's note (required: the member is told why), marks the log
    /// denied, appends an `appeal_denied` event and audits the change in `admin_log`.
    /// - Throws: `AppealError.invalidNote` (empty or over 2000 characters), `.appealNotFound`, `.alreadyDecided`.
    public func deny(guild: Int64, id: Int64, moderator: Int64, note: String) async throws -> AppealOutcome {
        let note = try Self.text(note, required: true, AppealError.invalidNote) ?? ""
        let now = clock()
        return try await database.transaction { conn in
            let (before, log) = try Self.pendingAppeal(on: conn, guild: guild, id: id)
            try Self.decide(on: conn, guild: guild, id: id, .denied, moderator: moderator, note: note, at: now)
            try AppealRepository.setLogAppealStatus(on: conn, guild: guild, log: log.id, status: AppealStatus.denied.rawValue)
            let event = DenialEvent(appealID: id, logID: log.id, userID: Self.snowflake(log.userID), note: note)
            let eventID = try EventRepository.append(on: conn, guild: guild, kind: Self.deniedEventKind,
                                                     payloadJSON: try Self.json(event), at: now)
            let after = try Self.audit(on: conn, guild: guild, id: id, before: before, moderator: moderator, action: "appeal.deny", at: now)
            return AppealOutcome(view: after, actions: [], refundedPoints: [:], eventID: eventID)
        }
    }

    // MARK: Decisions

    /// The appeal, locked until the transaction ends (PostgreSQL), and its log; refused unless pending.
    private static func pendingAppeal(on conn: any SQLConnection, guild: Int64, id: Int64) throws
        -> (AppealRepository.Record, AppealRepository.LogRecord) {
        guard let appeal = try AppealRepository.appeal(on: conn, guild: guild, id: id, forUpdate: true) else {
            throw AppealError.appealNotFound(id, guild: guild)
        }
        guard appeal.status == AppealStatus.pending.rawValue else {
            throw AppealError.alreadyDecided(appeal: id, status: try status(appeal.status, log: appeal.logID))
        }
        // The appeal goes with its log (ON DELETE CASCADE), so a missing log is a broken store.
        guard let log = try AppealRepository.log(on: conn, guild: guild, id: appeal.logID) else {
            throw AppealError.unreadableLog(appeal.logID, reason: "appeal \(id) names it but it does not exist")
        }
        return (appeal, log)
    }

    /// Decides the appeal only if it is still pending: the row lock above already orders concurrent
    /// deciders on PostgreSQL (SQLite has one writer), and the conditional update makes a second one change nothing.
    private static func decide(on conn: any SQLConnection, guild: Int64, id: Int64, _ status: AppealStatus, moderator: Int64,
                               note: String?, at now: Date) throws {
        guard try AppealRepository.decide(on: conn, guild: guild, id: id, status: status.rawValue, by: moderator, note: note, at: now) else {
            let current = try AppealRepository.appeal(on: conn, guild: guild, id: id)
            throw AppealError.alreadyDecided(appeal: id, status: current.flatMap { AppealStatus(rawValue: $0.status) } ?? .pending)
        }
    }

    /// Writes the `admin_log` row with the appeal before and after; returns the appeal's view after.
    private static func audit(on conn: any SQLConnection, guild: Int64, id: Int64, before: AppealRepository.Record, moderator: Int64,
                              action: String, at now: Date) throws -> AppealView {
        guard let listing = try AppealRepository.listing(on: conn, guild: guild, id: id) else {
            throw AppealError.appealNotFound(id, guild: guild)
        }
        try AdminLogRepository.record(on: conn, guild: guild, actor: moderator, action: action, targetType: "appeal",
                                      targetID: String(id), beforeJSON: try json(try appeal(before)),
                                      afterJSON: try json(try appeal(listing.appeal)), at: now)
        return try view(listing, triage: try AppealTriageRepository.triage(on: conn, appeal: id, guild: guild))
    }

    /// One rule type's refund: the history row to store and how many points it gave back.
    struct Refund: Equatable {
        var record: UserPoints
        var points: Double
    }

    /// What giving back `added` (points per rule type a decision added at `loggedAt`) does to the stored history.
    ///
    /// A stored total is the value at its `lastViolation` (the pipeline decays it on read), and the points
    /// this log added have decayed since, like the rest, up to that moment; subtracting them undecayed would
    /// also wipe points of later, valid violations. The log's time stands in for the message's (the same
    /// unless a backlog was scanned). One violation is taken off the count. Totals never go below 0.
    static func refunds(_ added: [String: Double], loggedAt: Date, history: [UserPoints], halfLifeHours: Double) -> [Refund] {
        added.sorted { $0.key < $1.key }.compactMap { type, points in
            guard points > 0, var record = history.first(where: { $0.ruleType == type }) else { return nil }
            let share = Escalation.decayed(points, from: min(loggedAt, record.lastViolation), to: record.lastViolation,
                                           halfLifeHours: halfLifeHours)
            let given = min(share, record.totalPoints)
            record.totalPoints = max(0, record.totalPoints - share)
            record.violationCount = max(0, record.violationCount - 1)
            return Refund(record: record, points: given)
        }
    }

    /// The reversals of a logged decision: lift its timeout, lift its ban. Deletions, warnings and kicks
    /// cannot be undone by the bot.
    /// Each action kind owns its reversal (`ActionKind.reversalType`).
    static func reversals(of decision: Decision, appeal: Int64) -> [DiscordAction] {
        ActionKinds.reversals(of: decision, reason: "Automod appeal \(appeal) approved")
    }

    /// The decision the pipeline logged with the action (`automod_logs.context`).
    private static func decision(of log: AppealRepository.LogRecord) throws -> Decision {
        guard let context = log.contextJSON else { throw AppealError.unreadableLog(log.id, reason: "it has no decision (context)") }
        do { return try JSONDecoder().decode(Decision.self, from: Data(context.utf8)) } catch {
            throw AppealError.unreadableLog(log.id, reason: "its decision (context) does not decode: \(error)")
        }
    }

    // MARK: Settings

    /// The guild's policy with only `keys` read from its settings (defaults for the rest): an unusable value
    /// of a setting the desk does not need must not block appeals.
    private static func policy(on conn: any SQLConnection, guild: Int64, _ keys: [GuildPolicy.Key]) throws -> GuildPolicy {
        var policy = GuildPolicy()
        for key in keys {
            guard let stored = try SettingsRepository.get(on: conn, guild: guild, scope: GuildPolicy.scope, key: key.rawValue) else { continue }
            do { try GuildPolicyLoader.apply(key, json: Data(stored.value.utf8), to: &policy) } catch {
                throw AppealError.invalidSetting(guild: guild, key: key.rawValue, reason: "\(error)")
            }
        }
        return policy
    }

    // MARK: Views and JSON

    /// `text` trimmed; nil when empty and not required.
    private static func text(_ text: String, required: Bool, _ error: (String) -> AppealError) throws -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty {
            if required { throw error("is empty") }
            return nil
        }
        guard trimmed.count <= maxTextLength else { throw error("is longer than \(maxTextLength) characters (\(trimmed.count))") }
        return trimmed
    }

    private static func status(_ text: String, log: Int64) throws -> AppealStatus {
        guard let status = AppealStatus(rawValue: text) else { throw AppealError.unreadableLog(log, reason: "unknown appeal status '\(text)'") }
        return status
    }

    static func snowflake(_ value: Int64) -> Snowflake { Snowflake(UInt64(bitPattern: value)) }

    private static func appeal(_ r: AppealRepository.Record) throws -> Appeal {
        Appeal(id: r.id, logID: r.logID, guildID: snowflake(r.guildID), userID: snowflake(r.userID), reason: r.reason,
               status: try status(r.status, log: r.logID), decidedBy: r.decidedBy.map(snowflake), note: r.note,
               createdAt: r.createdAt, decidedAt: r.decidedAt)
    }

    private static func view(_ listing: AppealRepository.Listing, triage: AppealTriageRepository.Record?) throws -> AppealView {
        let log = listing.log
        var rule: AppealedRule?
        if let id = log.ruleID, let name = log.ruleName, let type = log.ruleType { rule = AppealedRule(id: id, name: name, type: type) }
        return AppealView(
            appeal: try appeal(listing.appeal),
            log: AppealedAction(id: log.id, userID: snowflake(log.userID), channelID: log.channelID.map(snowflake),
                                messageID: log.messageID.map(snowflake), messageContent: log.messageContent, timestamp: log.timestamp,
                                actionTaken: log.actionTaken, appealStatus: try status(log.appealStatus, log: log.id)),
            rule: rule, evidence: try parse(log.evidenceJSON, log: log.id, column: "evidence"),
            aiAnalysis: try parse(log.aiAnalysisJSON, log: log.id, column: "ai_analysis"),
            triage: try triage.map(AppealTriage.of))
    }

    private static func parse(_ text: String?, log: Int64, column: String) throws -> JSONValue? {
        guard let text else { return nil }
        do { return try JSONValue.parse(text) } catch {
            throw AppealError.unreadableLog(log, reason: "\(column) is not JSON: \(error)")
        }
    }

    private static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    private static func json<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// `appeal_reversal` payload: what the bot undoes, and whom to tell.
    struct ReversalEvent: Encodable {
        var appealID: Int64, logID: Int64, messageID: Snowflake?, userID: Snowflake, actions: [DiscordAction]
        enum CodingKeys: String, CodingKey { case appealID = "appeal_id", logID = "log_id", messageID = "message_id", userID = "user_id", actions }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(appealID, forKey: .appealID); try c.encode(logID, forKey: .logID)
            try AppealJSON.encodeOrNull(messageID, &c, .messageID); try c.encode(userID, forKey: .userID)
            try c.encode(actions, forKey: .actions)
        }
    }

    /// `appeal_denied` payload: whom to tell, and the moderator's note.
    struct DenialEvent: Encodable {
        var appealID: Int64, logID: Int64, userID: Snowflake, note: String
        enum CodingKeys: String, CodingKey { case appealID = "appeal_id", logID = "log_id", userID = "user_id", note }
    }
}
