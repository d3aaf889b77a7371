import Foundation

/// SQL for the automod tables. Every function takes a connection so callers compose them inside one
/// transaction (a decision, its log, the user's points and the day's stats commit together).
public enum AutomodRepository {
    // MARK: Rules

    /// The guild's rules with their actions, enabled or not, in id order.
    public static func rules(on conn: any SQLConnection, guild: Int64) throws -> [StoredRule] {
        try conn.query("""
            SELECT r.id, r.name, r.rule_type, r.enabled, r.config, a.action_type, a.severity, a.config AS action_config
            FROM automod_rules r LEFT JOIN automod_actions a ON a.id = r.action_id
            WHERE r.guild_id = $1 ORDER BY r.id
            """, [.int(guild)]).map { row in
            StoredRule(id: try row.int("id"), name: try row.string("name"), ruleType: try row.string("rule_type"),
                       enabled: try row.optionalBool("enabled") ?? true, configJSON: try row.string("config"),
                       actionType: try row.optionalString("action_type"), severity: try row.optionalInt("severity").map(Int.init),
                       actionConfigJSON: try row.optionalString("action_config"))
        }
    }

    /// Inserts or replaces (by guild and name) a rule and its action. Returns the rule's id.
    @discardableResult
    public static func upsertRule(on conn: any SQLConnection, guild: Int64, name: String, ruleType: String, enabled: Bool,
                                  configJSON: String, actionType: String, severity: Int, actionConfigJSON: String,
                                  by user: Int64?, at now: Date) throws -> Int64 {
        let existing = try conn.queryFirst("SELECT id, action_id FROM automod_rules WHERE guild_id = $1 AND name = $2",
                                           [.int(guild), .text(name)])
        let actionID: Int64
        if let existingAction = try existing?.optionalInt("action_id") {
            try conn.execute("UPDATE automod_actions SET action_type = $1, severity = $2, config = $3 WHERE id = $4",
                             [.text(actionType), .int(Int64(severity)), .json(actionConfigJSON), .int(existingAction)])
            actionID = existingAction
        } else {
            guard let row = try conn.queryFirst("""
                INSERT INTO automod_actions (guild_id, action_type, severity, config, created_by, created_at)
                VALUES ($1, $2, $3, $4, $5, $6) RETURNING id
                """, [.int(guild), .text(actionType), .int(Int64(severity)), .json(actionConfigJSON), .int(user), .timestamp(now)])
            else { throw StoreError.statement("INSERT INTO automod_actions", message: "no id returned", sqlState: nil) }
            actionID = try row.int("id")
        }
        try StoreNotify.send(on: conn, .config, guild: guild)
        if let existing {
            let id = try existing.int("id")
            try conn.execute("""
                UPDATE automod_rules SET rule_type = $1, enabled = $2, config = $3, action_id = $4, updated_at = $5 WHERE id = $6
                """, [.text(ruleType), .bool(enabled), .json(configJSON), .int(actionID), .timestamp(now), .int(id)])
            return id
        }
        guard let row = try conn.queryFirst("""
            INSERT INTO automod_rules (guild_id, rule_type, name, enabled, config, action_id, created_by, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id
            """, [.int(guild), .text(ruleType), .text(name), .bool(enabled), .json(configJSON), .int(actionID), .int(user), .timestamp(now)])
        else { throw StoreError.statement("INSERT INTO automod_rules", message: "no id returned", sqlState: nil) }
        return try row.int("id")
    }

    public static func setRuleEnabled(on conn: any SQLConnection, ruleID: Int64, enabled: Bool, at now: Date) throws {
        let guilds = try conn.query("UPDATE automod_rules SET enabled = $1, updated_at = $2 WHERE id = $3 RETURNING guild_id",
                                    [.bool(enabled), .timestamp(now), .int(ruleID)])
        for row in guilds { try StoreNotify.send(on: conn, .config, guild: try row.int("guild_id")) }
    }

    // MARK: Idempotency

    /// A message to claim, with the decision stored for it (final for allowed messages, `{}` until decided).
    public struct Claim: Sendable {
        public var guild: Int64, message: Int64, decisionJSON: String
        public init(guild: Int64, message: Int64, decisionJSON: String) { self.guild = guild; self.message = message; self.decisionJSON = decisionJSON }
    }

    public struct MessageKey: Hashable, Sendable {
        public var guild: Int64, message: Int64
        public init(guild: Int64, message: Int64) { self.guild = guild; self.message = message }
    }

    /// Claims many messages with one statement per 200 (one round trip instead of one per message).
    /// Returns the keys this call claimed; the others were processed before. A key given twice is claimed once.
    public static func claimMessages(on conn: any SQLConnection, _ claims: [Claim], at now: Date) throws -> Set<MessageKey> {
        var seen = Set<MessageKey>()
        let unique = claims.filter { seen.insert(MessageKey(guild: $0.guild, message: $0.message)).inserted }
        var claimed = Set<MessageKey>()
        for start in stride(from: 0, to: unique.count, by: 200) {
            let chunk = unique[start..<min(start + 200, unique.count)]
            var values: [String] = []
            var binds: [SQLValue] = []
            values.reserveCapacity(chunk.count)
            binds.reserveCapacity(chunk.count * 4)
            for claim in chunk {
                let n = binds.count
                values.append("($\(n + 1), $\(n + 2), $\(n + 3), $\(n + 4))")
                binds += [.int(claim.guild), .int(claim.message), .json(claim.decisionJSON), .timestamp(now)]
            }
            let rows = try conn.query(
                "INSERT INTO message_decisions (guild_id, message_id, decision, created_at) VALUES \(values.joined(separator: ", ")) "
                    + "ON CONFLICT (guild_id, message_id) DO NOTHING RETURNING guild_id, message_id", binds)
            for row in rows { claimed.insert(MessageKey(guild: try row.int("guild_id"), message: try row.int("message_id"))) }
        }
        return claimed
    }

    public static func storeDecision(on conn: any SQLConnection, guild: Int64, message: Int64, decisionJSON: String) throws {
        try conn.execute("UPDATE message_decisions SET decision = $1 WHERE guild_id = $2 AND message_id = $3",
                         [.json(decisionJSON), .int(guild), .int(message)])
    }

    public static func storedDecision(on conn: any SQLConnection, guild: Int64, message: Int64) throws -> String? {
        try conn.queryFirst("SELECT decision FROM message_decisions WHERE guild_id = $1 AND message_id = $2",
                            [.int(guild), .int(message)])?.string("decision")
    }

    /// Deletes remembered decisions older than `cutoff` (re-deliveries come within minutes, not weeks).
    @discardableResult
    public static func pruneDecisions(on conn: any SQLConnection, before cutoff: Date) throws -> Int {
        try conn.execute("DELETE FROM message_decisions WHERE created_at < $1", [.timestamp(cutoff)])
            + GatewayEventRepository.prune(on: conn, before: cutoff)
    }

    // MARK: Points

    /// Serialises concurrent decisions for one user across processes (PostgreSQL); SQLite's single writer
    /// already does.
    public static func lockUser(on conn: any SQLConnection, guild: Int64, user: Int64) throws {
        guard conn.dialect == .postgres else { return }
        _ = try conn.query("SELECT pg_advisory_xact_lock(2, $1)", [.int(Int64(lockKey(guild, user)))])
    }

    /// Serialises loading and importing one guild's rules across processes (PostgreSQL).
    public static func lockGuild(on conn: any SQLConnection, guild: Int64) throws {
        guard conn.dialect == .postgres else { return }
        _ = try conn.query("SELECT pg_advisory_xact_lock(1, $1)", [.int(Int64(lockKey(guild, 0)))])
    }

    /// A 32-bit advisory lock key for (guild, user); collisions only serialise two members needlessly.
    static func lockKey(_ guild: Int64, _ user: Int64) -> Int32 {
        var h = UInt64(bitPattern: guild) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(bitPattern: user)
        h = (h ^ (h >> 31)) &* 0xBF58_476D_1CE4_E5B9
        return Int32(truncatingIfNeeded: h ^ (h >> 32))
    }

    public static func points(on conn: any SQLConnection, guild: Int64, user: Int64) throws -> [UserPoints] {
        try conn.query("""
            SELECT rule_type, total_points, violation_count, last_violation FROM automod_user_history
            WHERE guild_id = $1 AND user_id = $2 ORDER BY rule_type
            """, [.int(guild), .int(user)]).map { row in
            UserPoints(ruleType: try row.string("rule_type"), totalPoints: try row.optionalDouble("total_points") ?? 0,
                       violationCount: Int(try row.optionalInt("violation_count") ?? 0),
                       lastViolation: try row.optionalTimestamp("last_violation") ?? .distantPast)
        }
    }

    public static func savePoints(on conn: any SQLConnection, guild: Int64, user: Int64, _ points: UserPoints, at now: Date) throws {
        try conn.execute("""
            INSERT INTO automod_user_history (guild_id, user_id, rule_type, violation_count, last_violation, total_points, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (guild_id, user_id, rule_type) DO UPDATE SET
                violation_count = excluded.violation_count, last_violation = excluded.last_violation,
                total_points = excluded.total_points, updated_at = excluded.updated_at
            """, [.int(guild), .int(user), .text(points.ruleType), .int(Int64(points.violationCount)),
                  .timestamp(points.lastViolation), .double((points.totalPoints * 1e6).rounded() / 1e6), .timestamp(now)])
    }

    // MARK: Logs and stats

    public static func insertLog(on conn: any SQLConnection, _ entry: AutomodLogEntry) throws -> Int64 {
        guard let row = try conn.queryFirst("""
            INSERT INTO automod_logs (guild_id, user_id, message_id, channel_id, rule_id, action_taken, message_content,
                                      context, evidence, timestamp, appeal_status, ai_analysis, violation_at, verdict, source, revision)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'none', $11, $12, $13, $14, $15) RETURNING id
            """, [.int(entry.guildID), .int(entry.userID), .int(entry.messageID), .int(entry.channelID), .int(entry.ruleID),
                  .text(entry.actionTaken), .text(entry.messageContent), .json(entry.contextJSON), .json(entry.evidenceJSON),
                  .timestamp(entry.timestamp), entry.aiAnalysisJSON.map { .json($0) } ?? .null, .timestamp(entry.violationAt),
                  .text(entry.verdict), .text(entry.source), .text(entry.revision)])
        else { throw StoreError.statement("INSERT INTO automod_logs", message: "no id returned", sqlState: nil) }
        return try row.int("id")
    }

    /// Adds `count` logged decisions of `verdict` (`flag`, `block`) to the guild's `day` (YYYY-MM-DD, UTC), for the
    /// console's decisions per day without reading every log.
    public static func countDecisions(on conn: any SQLConnection, guild: Int64, day: String, verdict: String, count: Int) throws {
        try conn.execute("""
            INSERT INTO automod_daily (guild_id, date, verdict, decisions) VALUES ($1, $2, $3, $4)
            ON CONFLICT (guild_id, date, verdict) DO UPDATE SET decisions = automod_daily.decisions + excluded.decisions
            """, [.int(guild), .date(day), .text(verdict), .int(Int64(count))])
    }

    /// Counts one trigger of a rule on `day` (YYYY-MM-DD, UTC) and folds `responseMillis` into the day's average.
    public static func recordTrigger(on conn: any SQLConnection, guild: Int64, rule: Int64, day: String, responseMillis: Double, at now: Date) throws {
        try conn.execute("""
            INSERT INTO automod_stats (guild_id, rule_id, date, triggers_count, false_positives, avg_response_time, created_at)
            VALUES ($1, $2, $3, 1, 0, $4, $5)
            ON CONFLICT (guild_id, rule_id, date) DO UPDATE SET
                avg_response_time = (COALESCE(automod_stats.avg_response_time, 0) * automod_stats.triggers_count + excluded.avg_response_time)
                                    / (automod_stats.triggers_count + 1),
                triggers_count = automod_stats.triggers_count + 1
            """, [.int(guild), .int(rule), .date(day), .double(responseMillis), .timestamp(now)])
    }

    public static func logs(on conn: any SQLConnection, guild: Int64, user: Int64, limit: Int) throws -> [AutomodLogRecord] {
        try conn.query("""
            SELECT l.id, l.message_id, l.channel_id, r.name AS rule_name, l.action_taken, l.timestamp, l.appeal_status
            FROM automod_logs l LEFT JOIN automod_rules r ON r.id = l.rule_id
            WHERE l.guild_id = $1 AND l.user_id = $2 ORDER BY l.id DESC LIMIT $3
            """, [.int(guild), .int(user), .int(Int64(limit))]).map { row in
            AutomodLogRecord(id: try row.int("id"), messageID: try row.optionalInt("message_id"),
                             channelID: try row.optionalInt("channel_id"), ruleName: try row.optionalString("rule_name"),
                             actionTaken: try row.string("action_taken"),
                             timestamp: try row.optionalTimestamp("timestamp") ?? .distantPast,
                             appealStatus: try row.optionalString("appeal_status") ?? "none")
        }
    }
}
