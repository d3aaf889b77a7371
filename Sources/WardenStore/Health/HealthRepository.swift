import Foundation

/// `health_check_history`: one row per health check, kept for a retention period.
public enum HealthRepository {
    /// What one health check saw.
    public struct Check: Sendable, Equatable {
        public var service: String
        public var version: String
        public var uptimeSeconds: Int64
        /// `ok` or the database error.
        public var databaseStatus: String
        /// The LLM circuit breaker's state, or `off` without a provider.
        public var llmStatus: String
        public var databasePoolSize: Int?

        public init(service: String, version: String, uptimeSeconds: Int64, databaseStatus: String, llmStatus: String, databasePoolSize: Int?) {
            self.service = service; self.version = version; self.uptimeSeconds = uptimeSeconds
            self.databaseStatus = databaseStatus; self.llmStatus = llmStatus; self.databasePoolSize = databasePoolSize
        }
    }

    /// Records a check with the guilds seen and the commands of the last 24 hours (automod decisions logged).
    @discardableResult
    public static func record(on conn: any SQLConnection, _ check: Check, at now: Date) throws -> Int64 {
        let row = try conn.queryFirst("""
            INSERT INTO health_check_history (service, version, uptime_seconds, db_status, guild_count, active_commands_24h,
                                              gpt_status, database_pool_size, checked_at)
            VALUES ($1, $2, $3, $4, (SELECT COUNT(DISTINCT guild_id) FROM bot_settings),
                    (SELECT COUNT(*) FROM automod_logs WHERE timestamp >= $5), $6, $7, $8) RETURNING id
            """, [.text(check.service), .text(check.version), .int(check.uptimeSeconds), .text(check.databaseStatus),
                  .timestamp(now.addingTimeInterval(-86_400)), .text(check.llmStatus), .int(check.databasePoolSize.map(Int64.init)),
                  .timestamp(now)])
        guard let row else { throw StoreError.statement("INSERT INTO health_check_history", message: "no id returned", sqlState: nil) }
        return try row.int("id")
    }

    /// Removes checks older than `cutoff`; returns how many.
    @discardableResult
    public static func prune(on conn: any SQLConnection, before cutoff: Date) throws -> Int {
        try conn.execute("DELETE FROM health_check_history WHERE checked_at < $1", [.timestamp(cutoff)])
    }
}
