import Foundation

/// A guild setting as stored in `bot_settings`.
public struct Setting: Sendable, Equatable {
    public let guildID: Int64
    public let scope: String
    public let key: String
    /// The value as JSON text (PostgreSQL returns JSONB normalised: key order and spacing may differ).
    public let valueJSON: String
    public let valueType: String?
    public let updatedBy: Int64?
    public let updatedAt: Date?
}

/// One row of `settings_history`.
public struct SettingChange: Sendable, Equatable {
    public let id: Int64
    public let guildID: Int64
    public let scope: String
    public let key: String
    public let oldValueJSON: String?
    public let newValueJSON: String
    public let valueType: String?
    public let changedBy: Int64?
    public let changedAt: Date?
    /// "created" or "updated" for changes written here; the seeds also know "deleted" and "rollback".
    public let changeType: String
}

/// Guild settings (`bot_settings`) with their audit trail (`settings_history`).
///
/// The instance methods each run one transaction. The static `on:` variants run inside a transaction
/// the caller already holds, so a setting change can commit together with other writes.
public struct SettingsRepository: Sendable {
    public let database: any Database

    public init(database: any Database) {
        self.database = database
    }

    /// The current value of one setting, or nil when it was never set.
    public func get(guild: Int64, scope: String, key: String) async throws -> (value: String, valueType: String?)? {
        let found = try await database.transaction { conn in
            try Self.get(on: conn, guild: guild, scope: scope, key: key).map { SettingValue(value: $0.value, valueType: $0.valueType) }
        }
        return found.map { (value: $0.value, valueType: $0.valueType) }
    }

    /// Every setting of one guild and scope, ordered by key.
    public func all(guild: Int64, scope: String) async throws -> [Setting] {
        try await database.transaction { conn in
            try conn.query("""
                SELECT guild_id, scope, key, value, value_type, updated_by, updated_at
                FROM bot_settings WHERE guild_id = $1 AND scope = $2 ORDER BY key
                """, [.int(guild), .text(scope)]).map(Self.setting)
        }
    }

    /// Writes the setting (insert or update) and its history row in one transaction.
    /// - Parameters:
    ///   - valueJSON: the value as JSON text (e.g. `"123"`, `"\"#general\""`, `"{\"on\": true}"`).
    ///   - by: the Discord user making the change, if any.
    public func set(guild: Int64, scope: String, key: String, valueJSON: String, valueType: String?, by: Int64?) async throws {
        try await database.transaction { conn in
            try Self.set(on: conn, guild: guild, scope: scope, key: key, valueJSON: valueJSON, valueType: valueType, by: by)
        }
    }

    /// The most recent changes of one setting, newest first.
    public func history(guild: Int64, scope: String, key: String, limit: Int = 50) async throws -> [SettingChange] {
        try await database.transaction { conn in
            try conn.query("""
                SELECT id, guild_id, scope, key, old_value, new_value, value_type, changed_by, changed_at, change_type
                FROM settings_history WHERE guild_id = $1 AND scope = $2 AND key = $3
                ORDER BY id DESC LIMIT $4
                """, [.int(guild), .text(scope), .text(key), .int(Int64(max(0, limit)))]).map(Self.change)
        }
    }

    // MARK: - Inside a caller's transaction

    /// One history row by id, within a guild.
    public static func change(on conn: any SQLConnection, id: Int64, guild: Int64) throws -> SettingChange? {
        try conn.queryFirst("""
            SELECT id, guild_id, scope, key, old_value, new_value, value_type, changed_by, changed_at, change_type
            FROM settings_history WHERE id = $1 AND guild_id = $2
            """, [.int(id), .int(guild)]).map(Self.change)
    }

    /// The current value of one setting, read on `conn`.
    public static func get(on conn: any SQLConnection, guild: Int64, scope: String, key: String) throws -> (value: String, valueType: String?)? {
        guard let row = try conn.queryFirst(
            "SELECT value, value_type FROM bot_settings WHERE guild_id = $1 AND scope = $2 AND key = $3",
            [.int(guild), .text(scope), .text(key)])
        else { return nil }
        return (value: try row.string("value"), valueType: try row.optionalString("value_type"))
    }

    /// Writes the setting and its history row on `conn`, inside the caller's transaction.
    /// - Parameter changeType: recorded in the history instead of `updated`/`created` (e.g. `rollback`).
    public static func set(on conn: any SQLConnection, guild: Int64, scope: String, key: String,
                           valueJSON: String, valueType: String?, by: Int64?, at time: Date = Date(), changeType: String? = nil) throws {
        let keyBinds: [SQLValue] = [.int(guild), .text(scope), .text(key)]
        try StoreNotify.send(on: conn, .config, guild: guild)
        // On PostgreSQL, lock the row so concurrent changes record a true old value. When the row does not
        // exist yet, the insert below races safely: the loser inserts nothing and retries as an update.
        let lockClause = conn.dialect == .postgres ? " FOR UPDATE" : ""
        for _ in 0..<2 {
            if let old = try conn.queryFirst(
                "SELECT value FROM bot_settings WHERE guild_id = $1 AND scope = $2 AND key = $3" + lockClause, keyBinds) {
                let oldValue = try old.string("value")
                try conn.execute("""
                    UPDATE bot_settings SET value = $4, value_type = $5, updated_by = $6, updated_at = $7
                    WHERE guild_id = $1 AND scope = $2 AND key = $3
                    """, keyBinds + [.json(valueJSON), .text(valueType), .int(by), .timestamp(time)])
                try recordChange(on: conn, keyBinds, old: oldValue, new: valueJSON, valueType: valueType, by: by, at: time, type: changeType ?? "updated")
                return
            }
            let inserted = try conn.execute("""
                INSERT INTO bot_settings (guild_id, scope, key, value, value_type, updated_by, updated_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                ON CONFLICT (guild_id, scope, key) DO NOTHING
                """, keyBinds + [.json(valueJSON), .text(valueType), .int(by), .timestamp(time)])
            if inserted == 1 {
                try recordChange(on: conn, keyBinds, old: nil, new: valueJSON, valueType: valueType, by: by, at: time, type: changeType ?? "created")
                return
            }
        }
        throw StoreError.statement("bot_settings upsert", message: "setting \(scope).\(key) of guild \(guild) neither updated nor inserted", sqlState: "40001")
    }

    // MARK: - Rows

    private static func recordChange(on conn: any SQLConnection, _ keyBinds: [SQLValue], old: String?, new: String,
                                     valueType: String?, by: Int64?, at time: Date, type: String) throws {
        try conn.execute("""
            INSERT INTO settings_history (guild_id, scope, key, old_value, new_value, value_type, changed_by, changed_at, change_type)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            """, keyBinds + [.json(old), .json(new), .text(valueType), .int(by), .timestamp(time), .text(type)])
    }

    private static func setting(_ row: SQLRow) throws -> Setting {
        Setting(guildID: try row.int("guild_id"), scope: try row.string("scope"), key: try row.string("key"),
                valueJSON: try row.string("value"), valueType: try row.optionalString("value_type"),
                updatedBy: try row.optionalInt("updated_by"), updatedAt: try row.optionalTimestamp("updated_at"))
    }

    private static func change(_ row: SQLRow) throws -> SettingChange {
        SettingChange(id: try row.int("id"), guildID: try row.int("guild_id"), scope: try row.string("scope"),
                      key: try row.string("key"), oldValueJSON: try row.optionalString("old_value"),
                      newValueJSON: try row.string("new_value"), valueType: try row.optionalString("value_type"),
                      changedBy: try row.optionalInt("changed_by"), changedAt: try row.optionalTimestamp("changed_at"),
                      changeType: try row.string("change_type"))
    }
}

/// A Sendable carrier for `get`'s result across the transaction boundary (tuples with labels are fine
/// in the API, but a named type keeps the closure's return type readable).
private struct SettingValue: Sendable {
    let value: String
    let valueType: String?
}
