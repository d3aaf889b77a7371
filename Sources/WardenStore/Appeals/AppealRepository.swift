import Foundation

/// SQL for appeals against automod actions (`automod_appeals`, one per `automod_logs` row) and the log
/// columns an appeal changes (`automod_logs.appeal_status`, `automod_stats.false_positives`).
///
/// Every function takes a connection so the desk composes them inside one transaction. Every lookup is
/// scoped by guild: an id of another guild reads as absent.
public enum AppealRepository {
    /// One `automod_appeals` row.
    public struct Record: Sendable, Equatable {
        public var id: Int64
        public var logID: Int64
        public var guildID: Int64
        /// The member who filed it (the log's member).
        public var userID: Int64
        public var reason: String
        /// `pending`, `approved` or `denied`.
        public var status: String
        public var decidedBy: Int64?
        /// The moderator's note with the decision.
        public var note: String?
        public var createdAt: Date
        public var decidedAt: Date?
    }

    /// One `automod_logs` row with the rule it names (nil when the log has no rule or the rule was deleted).
    public struct LogRecord: Sendable, Equatable {
        public var id: Int64
        public var guildID: Int64
        public var userID: Int64
        public var messageID: Int64?
        public var channelID: Int64?
        public var ruleID: Int64?
        public var ruleName: String?
        public var ruleType: String?
        /// The actions taken, `+`-joined (`delete_message+timeout`).
        public var actionTaken: String
        public var messageContent: String?
        /// The decision as JSON, in the store's normal form (decode it).
        public var contextJSON: String?
        /// The matches' evidence as a JSON array, in the store's normal form.
        public var evidenceJSON: String?
        /// The model's analysis as JSON, when the LLM stage ran.
        public var aiAnalysisJSON: String?
        /// When the log was written.
        public var timestamp: Date
        /// When the violation happened (nil for logs from before migration 3); points decay from it.
        public var violationAt: Date?
        /// `none`, `pending`, `approved` or `denied`.
        public var appealStatus: String
    }

    /// An appeal with the log it is about.
    public struct Listing: Sendable, Equatable {
        public var appeal: Record
        public var log: LogRecord
    }

    // MARK: Appeals

    /// Files an appeal against `log`.
    /// - Returns: the new appeal, or nil (nothing written) when the log already has one, in any status.
    public static func insert(on conn: any SQLConnection, guild: Int64, log: Int64, user: Int64, reason: String,
                              at now: Date) throws -> Record? {
        // ON CONFLICT instead of catching the unique violation: on PostgreSQL a failed statement aborts the
        // whole transaction, and a concurrent filer waits here for the first one to commit.
        try conn.queryFirst("""
            INSERT INTO automod_appeals (log_id, guild_id, user_id, reason, status, created_at)
            VALUES ($1, $2, $3, $4, 'pending', $5)
            ON CONFLICT (log_id) DO NOTHING RETURNING \(appealColumns)
            """, [.int(log), .int(guild), .int(user), .text(reason), .timestamp(now)]).map(record)
    }

    /// One appeal of the guild, or nil. `forUpdate` locks the row on PostgreSQL until the transaction ends.
    public static func appeal(on conn: any SQLConnection, guild: Int64, id: Int64, forUpdate: Bool = false) throws -> Record? {
        let lock = forUpdate && conn.dialect == .postgres ? " FOR UPDATE" : ""
        return try conn.queryFirst("SELECT \(appealColumns) FROM automod_appeals WHERE id = $1 AND guild_id = $2" + lock,
                                   [.int(id), .int(guild)]).map(record)
    }

    /// The appeal against a log of the guild, or nil when it has none.
    public static func appeal(on conn: any SQLConnection, guild: Int64, log: Int64) throws -> Record? {
        try conn.queryFirst("SELECT \(appealColumns) FROM automod_appeals WHERE log_id = $1 AND guild_id = $2",
                            [.int(log), .int(guild)]).map(record)
    }

    /// The guild's appeals, newest first, with their logs; only those of `status` when it is given.
    /// A limit of 0 or less returns nothing.
    public static func list(on conn: any SQLConnection, guild: Int64, status: String?, limit: Int) throws -> [Listing] {
        guard limit > 0 else { return [] }
        var binds: [SQLValue] = [.int(guild), .int(Int64(limit))]
        var filter = ""
        if let status {
            binds.append(.text(status))
            filter = " AND a.status = $3"
        }
        return try conn.query("""
            SELECT \(listingColumns) \(listingJoin)
            WHERE a.guild_id = $1\(filter) ORDER BY a.created_at DESC, a.id DESC LIMIT $2
            """, binds).map(listing)
    }

    /// What the console's appeal queue narrows a status down to; nil fields do not narrow.
    public struct QueueFilter: Sendable, Equatable {
        /// The rule's name (the rule the log names).
        public var rule: String?
        /// One action kind among the `+`-joined actions taken (`ban`, `timeout`, ...); a plain word, checked by the caller.
        public var action: String?
        /// Filed at or after this time.
        public var filedSince: Date?
        /// Filed before this time.
        public var filedBefore: Date?
        public init(rule: String? = nil, action: String? = nil, filedSince: Date? = nil, filedBefore: Date? = nil) {
            self.rule = rule; self.action = action; self.filedSince = filedSince; self.filedBefore = filedBefore
        }
    }

    /// A page of the guild's appeals of `status`, newest first (by id), after the keyset cursor `before` (an
    /// appeal id; nil for the first page), narrowed by `filter`, at most `limit`.
    public static func queue(on conn: any SQLConnection, guild: Int64, status: String, filter: QueueFilter, before: Int64?,
                             limit: Int) throws -> [Listing] {
        guard limit > 0 else { return [] }
        var binds: [SQLValue] = [.int(guild), .text(status), .int(Int64(limit))]
        var clauses = filterClauses(filter, &binds)
        if let before {
            binds.append(.int(before))
            clauses += " AND a.id < $\(binds.count)"
        }
        return try conn.query("""
            SELECT \(listingColumns) \(listingJoin)
            WHERE a.guild_id = $1 AND a.status = $2\(clauses) ORDER BY a.id DESC LIMIT $3
            """, binds).map(listing)
    }

    /// The ids of the pending appeals just newer and just older than `id` among those `filter` leaves (nil where
    /// there is none): the queue's neighbours, for working through it one by one.
    public static func pendingNeighbours(on conn: any SQLConnection, guild: Int64, id: Int64,
                                         filter: QueueFilter = QueueFilter()) throws -> (newer: Int64?, older: Int64?) {
        func neighbour(_ pick: String, _ comparison: String) throws -> Int64? {
            var binds: [SQLValue] = [.int(guild), .int(id)]
            let clauses = filterClauses(filter, &binds)
            return try conn.queryFirst("""
                SELECT \(pick)(a.id) AS id \(listingJoin) WHERE a.guild_id = $1 AND a.status = 'pending' AND a.id \(comparison) $2\(clauses)
                """, binds)?.optionalInt("id")
        }
        return (try neighbour("MIN", ">"), try neighbour("MAX", "<"))
    }

    /// The SQL of a queue filter, its values appended to `binds` (each value bound, never spliced).
    private static func filterClauses(_ filter: QueueFilter, _ binds: inout [SQLValue]) -> String {
        var clauses = ""
        func bind(_ value: SQLValue) -> String { binds.append(value); return "$\(binds.count)" }
        if let rule = filter.rule { clauses += " AND r.name = \(bind(.text(rule)))" }
        if let action = filter.action { clauses += " AND ('+' || l.action_taken || '+') LIKE \(bind(.text("%+\(action)+%")))" }
        if let since = filter.filedSince { clauses += " AND a.created_at >= \(bind(.timestamp(since)))" }
        if let until = filter.filedBefore { clauses += " AND a.created_at < \(bind(.timestamp(until)))" }
        return clauses
    }

    /// How many appeals of the guild are in `status`.
    public static func count(on conn: any SQLConnection, guild: Int64, status: String) throws -> Int {
        try Int(conn.queryFirst("SELECT COUNT(*) AS n FROM automod_appeals WHERE guild_id = $1 AND status = $2",
                                [.int(guild), .text(status)])?.int("n") ?? 0)
    }

    /// One appeal of the guild with its log, or nil.
    public static func listing(on conn: any SQLConnection, guild: Int64, id: Int64) throws -> Listing? {
        try conn.queryFirst("SELECT \(listingColumns) \(listingJoin) WHERE a.guild_id = $1 AND a.id = $2",
                            [.int(guild), .int(id)]).map(listing)
    }

    /// Moves a pending appeal to `status` (`approved` or `denied`) with who decided, their note and when.
    /// - Returns: false, changing nothing, when the appeal is not pending (or not the guild's). Two
    ///   concurrent deciders: the second waits for the first's row lock and then matches no row.
    public static func decide(on conn: any SQLConnection, guild: Int64, id: Int64, status: String, by moderator: Int64?,
                              note: String?, at now: Date) throws -> Bool {
        try conn.execute("""
            UPDATE automod_appeals SET status = $3, decided_by = $4, note = $5, decided_at = $6
            WHERE id = $1 AND guild_id = $2 AND status = 'pending'
            """, [.int(id), .int(guild), .text(status), .int(moderator), .text(note), .timestamp(now)]) == 1
    }

    // MARK: Logs

    /// One log of the guild with its rule, or nil (also for another guild's log).
    /// `forUpdate` locks the log row on PostgreSQL until the transaction ends.
    public static func log(on conn: any SQLConnection, guild: Int64, id: Int64, forUpdate: Bool = false) throws -> LogRecord? {
        // FOR UPDATE OF: the rule row joined in is only read.
        let lock = forUpdate && conn.dialect == .postgres ? " FOR UPDATE OF l" : ""
        return try conn.queryFirst("""
            SELECT \(logColumns) FROM automod_logs l LEFT JOIN automod_rules r ON r.id = l.rule_id
            WHERE l.id = $1 AND l.guild_id = $2
            """ + lock, [.int(id), .int(guild)]).map(logRecord)
    }

    /// Sets a log's `appeal_status` (`none`, `pending`, `approved`, `denied`).
    public static func setLogAppealStatus(on conn: any SQLConnection, guild: Int64, log: Int64, status: String) throws {
        try conn.execute("UPDATE automod_logs SET appeal_status = $3 WHERE id = $1 AND guild_id = $2",
                         [.int(log), .int(guild), .text(status)])
    }

    /// Counts one false positive of a rule on `day` (YYYY-MM-DD, UTC: the day of the log, so it lands in the
    /// row that counted the trigger), creating the day's row if it has none.
    public static func countFalsePositive(on conn: any SQLConnection, guild: Int64, rule: Int64, day: String, at now: Date) throws {
        try conn.execute("""
            INSERT INTO automod_stats (guild_id, rule_id, date, triggers_count, false_positives, created_at)
            VALUES ($1, $2, $3, 0, 1, $4)
            ON CONFLICT (guild_id, rule_id, date) DO UPDATE SET
                false_positives = COALESCE(automod_stats.false_positives, 0) + 1
            """, [.int(guild), .int(rule), .date(day), .timestamp(now)])
    }

    // MARK: Rows

    private static let appealColumns = "id, log_id, guild_id, user_id, reason, status, decided_by, note, created_at, decided_at"

    private static let logColumns = """
        l.id, l.guild_id, l.user_id, l.message_id, l.channel_id, l.rule_id, r.name AS rule_name, r.rule_type,
        l.action_taken, l.message_content, l.context, l.evidence, l.ai_analysis, l.timestamp, l.violation_at, l.appeal_status
        """

    // The log's columns are renamed where they collide with the appeal's.
    private static let listingColumns = """
        a.id, a.log_id, a.guild_id, a.user_id, a.reason, a.status, a.decided_by, a.note, a.created_at, a.decided_at,
        l.guild_id AS log_guild_id, l.user_id AS log_user_id, l.message_id, l.channel_id, l.rule_id, r.name AS rule_name,
        r.rule_type, l.action_taken, l.message_content, l.context, l.evidence, l.ai_analysis, l.timestamp, l.violation_at, l.appeal_status
        """

    private static let listingJoin = """
        FROM automod_appeals a JOIN automod_logs l ON l.id = a.log_id AND l.guild_id = a.guild_id
        LEFT JOIN automod_rules r ON r.id = l.rule_id
        """

    private static func record(_ row: SQLRow) throws -> Record {
        Record(id: try row.int("id"), logID: try row.int("log_id"), guildID: try row.int("guild_id"),
               userID: try row.int("user_id"), reason: try row.optionalString("reason") ?? "", status: try row.string("status"),
               decidedBy: try row.optionalInt("decided_by"), note: try row.optionalString("note"),
               createdAt: try row.timestamp("created_at"), decidedAt: try row.optionalTimestamp("decided_at"))
    }

    private static func logRecord(_ row: SQLRow) throws -> LogRecord {
        try logRecord(row, id: "id", guild: "guild_id", user: "user_id")
    }

    private static func logRecord(_ row: SQLRow, id: String, guild: String, user: String) throws -> LogRecord {
        LogRecord(id: try row.int(id), guildID: try row.int(guild), userID: try row.int(user),
                  messageID: try row.optionalInt("message_id"), channelID: try row.optionalInt("channel_id"),
                  ruleID: try row.optionalInt("rule_id"), ruleName: try row.optionalString("rule_name"),
                  ruleType: try row.optionalString("rule_type"), actionTaken: try row.string("action_taken"),
                  messageContent: try row.optionalString("message_content"), contextJSON: try row.optionalString("context"),
                  evidenceJSON: try row.optionalString("evidence"), aiAnalysisJSON: try row.optionalString("ai_analysis"),
                  timestamp: try row.optionalTimestamp("timestamp") ?? .distantPast,
                  violationAt: try row.optionalTimestamp("violation_at"),
                  appealStatus: try row.optionalString("appeal_status") ?? "none")
    }

    private static func listing(_ row: SQLRow) throws -> Listing {
        Listing(appeal: try record(row), log: try logRecord(row, id: "log_id", guild: "log_guild_id", user: "log_user_id"))
    }
}
