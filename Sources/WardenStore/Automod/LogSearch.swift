import Foundation

/// The console's automod log search: a guild's logs narrowed by member, rule, verdict and time, newest
/// first, one keyset page at a time (`before` is a log id), so a page costs the same at the millionth log
/// as at the first.
public enum LogSearch {
    /// What narrows the search; nil fields do not narrow.
    public struct Filter: Sendable, Equatable {
        public var member: Int64?
        /// The rule's name.
        public var rule: String?
        /// `flag` or `block`, as the decision said (logs are only written for those).
        public var verdict: String?
        /// Logged at or after this time.
        public var from: Date?
        /// Logged before this time.
        public var until: Date?
        public init(member: Int64? = nil, rule: String? = nil, verdict: String? = nil, from: Date? = nil, until: Date? = nil) {
            self.member = member; self.rule = rule; self.verdict = verdict; self.from = from; self.until = until
        }
    }

    /// One log as the search lists it.
    public struct Row: Sendable, Equatable {
        public var id: Int64
        public var userID: Int64
        public var messageID: Int64?
        public var channelID: Int64?
        public var ruleName: String?
        public var actionTaken: String
        public var messageContent: String?
        public var timestamp: Date
        public var appealStatus: String
        /// `flag` or `block` (nil for logs whose decision was not kept).
        public var verdict: String?
        /// The member's escalation points right after this decision (nil when it did not escalate).
        public var points: Double?
    }

    /// A page of the guild's logs matching `filter`, newest first, with ids below `before`.
    public static func page(on conn: any SQLConnection, guild: Int64, filter: Filter, before: Int64?, limit: Int) throws -> [Row] {
        guard limit > 0 else { return [] }
        var binds: [SQLValue] = [.int(guild), .int(Int64(limit))]
        var clauses = ""
        func bind(_ value: SQLValue) -> String { binds.append(value); return "$\(binds.count)" }
        let verdict = "l.verdict"
        if let member = filter.member { clauses += " AND l.user_id = \(bind(.int(member)))" }
        if let rule = filter.rule { clauses += " AND r.name = \(bind(.text(rule)))" }
        if let wanted = filter.verdict { clauses += " AND \(verdict) = \(bind(.text(wanted)))" }
        if let from = filter.from { clauses += " AND l.timestamp >= \(bind(.timestamp(from)))" }
        if let until = filter.until { clauses += " AND l.timestamp < \(bind(.timestamp(until)))" }
        if let before { clauses += " AND l.id < \(bind(.int(before)))" }
        return try conn.query("""
            SELECT l.id, l.user_id, l.message_id, l.channel_id, r.name AS rule_name, l.action_taken, l.message_content,
                   l.timestamp, l.appeal_status, \(verdict) AS verdict, \(pointsExpression(conn.dialect)) AS points
            FROM automod_logs l LEFT JOIN automod_rules r ON r.id = l.rule_id
            WHERE l.guild_id = $1\(clauses) ORDER BY l.id DESC LIMIT $2
            """, binds).map(row)
    }

    private static func pointsExpression(_ dialect: SQLDialect) -> String {
        dialect == .postgres ? "((l.context->'escalation'->>'points')::double precision)" : "json_extract(l.context, '$.escalation.points')"
    }

    private static func row(_ row: SQLRow) throws -> Row {
        Row(id: try row.int("id"), userID: try row.int("user_id"), messageID: try row.optionalInt("message_id"),
            channelID: try row.optionalInt("channel_id"), ruleName: try row.optionalString("rule_name"),
            actionTaken: try row.string("action_taken"), messageContent: try row.optionalString("message_content"),
            timestamp: try row.optionalTimestamp("timestamp") ?? .distantPast, appealStatus: try row.optionalString("appeal_status") ?? "none",
            verdict: try row.optionalString("verdict"), points: try row.optionalDouble("points"))
    }
}
