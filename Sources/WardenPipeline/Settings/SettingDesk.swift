import Foundation
import WardenCore
import WardenStore

/// A guild's settings (`bot_settings`) for admins: read a scope, change one value (checked first), read a
/// value's history, roll back to a value it had, and read the audit trail of a value.
///
/// Each change commits with its `settings_history` row and an `admin_log` row (`setting.set` or
/// `setting.rollback`, the value before and after), whether it came through the HTTP API or the CLI, and
/// the guild's rules and policy are loaded again before the change is answered, so the next message sees it.
///
/// What a value must look like is each scope's own business: the desk is given one ``SettingCheck`` per
/// scope it knows (the automod policy, LLM quotas, the support desk); other scopes only need JSON.
public final class SettingDesk: Sendable {
    public let database: any Database
    public let guilds: GuildDirectory
    public let checks: [SettingCheck]
    private let clock: @Sendable () -> Date

    /// The `admin_log` target type of setting changes (the target id is `scope.key`).
    public static let auditTarget = "setting"

    public init(database: any Database, guilds: GuildDirectory, checks: [SettingCheck],
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database; self.guilds = guilds; self.checks = checks; self.clock = clock
    }

    /// Whether `text` can be a scope or a key: lower-case letters, digits and `_`, 1 to 64 characters.
    public static func isName(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 64
            && text.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F }
    }

    // MARK: Reading

    /// The guild's settings in `scope`.
    public func get(guild: Int64, scope: String) async throws -> SettingPage {
        let settings = try await SettingsRepository(database: database).all(guild: guild, scope: scope)
        return SettingPage(scope: scope, settings: settings.map(SettingView.init))
    }

    /// One setting of the guild.
    /// - Throws: `SettingError.settingNotFound`.
    public func get(guild: Int64, scope: String, key: String) async throws -> SettingView {
        guard let setting = try await get(guild: guild, scope: scope).settings.first(where: { $0.key == key }) else {
            throw SettingError.settingNotFound(scope: scope, key: key)
        }
        return setting
    }

    /// The setting's changes, newest first, at most `limit`.
    public func history(guild: Int64, scope: String, key: String, limit: Int = 50) async throws -> SettingHistory {
        let changes = try await SettingsRepository(database: database).history(guild: guild, scope: scope, key: key, limit: limit)
        return SettingHistory(changes: changes.map(SettingChangeView.init))
    }

    /// The `admin_log` rows of the guild's setting `scope.key`, oldest first.
    public func audit(guild: Int64, scope: String, key: String) async throws -> [AuditEntry] {
        let entries = try await database.transaction { conn in
            try AdminLogRepository.entries(on: conn, targetType: Self.auditTarget, targetID: "\(scope).\(key)")
        }
        return entries.filter { $0.guildID == guild }.map(AuditEntry.init)
    }

    // MARK: Validation

    /// Throws unless `json` is JSON and the check of `scope`, if the desk has one, accepts it for `key`.
    /// - Throws: `SettingError.invalidValue`.
    public func validate(scope: String, key: String, json: String) throws(SettingError) {
        guard (try? JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed])) != nil else {
            throw .invalidValue(scope: scope, key: key, reason: "the value must be JSON (strings in quotes), got: \(json)")
        }
        for check in checks where check.scope == scope {
            do throws(SettingRejection) { try check.validate(key: key, json: json) } catch {
                throw .invalidValue(scope: scope, key: key, reason: error.reason)
            }
        }
    }

    // MARK: Changes

    /// Sets `scope.key` to `json` after ``validate(scope:key:json:)``; `actor` is recorded as its author.
    /// - Throws: `SettingError.invalidValue`.
    public func set(guild: Int64, scope: String, key: String, json: String, by actor: Int64?) async throws -> SettingView {
        try validate(scope: scope, key: key, json: json)
        let now = clock()
        try await database.transaction { conn in
            let before = try SettingsRepository.get(on: conn, guild: guild, scope: scope, key: key)
            try SettingsRepository.set(on: conn, guild: guild, scope: scope, key: key, valueJSON: json, valueType: nil, by: actor, at: now)
            try Self.audit(on: conn, guild: guild, actor: actor, action: "setting.set", scope: scope, key: key,
                           before: before?.value, after: json, at: now)
        }
        await guilds.refresh(Snowflake(UInt64(bitPattern: guild)))
        return try await get(guild: guild, scope: scope, key: key)
    }

    /// Restores the value `scope.key` had before change `changeID`, if today's checks still accept it.
    /// - Throws: `SettingError.changeNotFound` (no such change of that setting in the guild),
    ///   `.nothingToRestore` (the change created the setting), `.notRestorable` (refused by today's checks).
    public func rollback(guild: Int64, scope: String, key: String, change changeID: Int64, by actor: Int64?) async throws -> SettingView {
        // settings_history ids are SERIAL: a larger one cannot exist, and PostgreSQL would refuse it.
        guard RowIDRange.serial.contains(changeID) else { throw SettingError.changeNotFound(changeID, scope: scope, key: key) }
        let now = clock()
        try await database.transaction { conn in
            guard let change = try SettingsRepository.change(on: conn, id: changeID, guild: guild),
                  change.scope == scope, change.key == key else {
                throw SettingError.changeNotFound(changeID, scope: scope, key: key)
            }
            guard let old = change.oldValueJSON else { throw SettingError.nothingToRestore(change: changeID, scope: scope, key: key) }
            // An old value may predate today's checks; it is restored only if it would be accepted now.
            do throws(SettingError) { try self.validate(scope: scope, key: key, json: old) } catch {
                guard case .invalidValue(_, _, let reason) = error else { throw error }
                throw SettingError.notRestorable(change: changeID, scope: scope, key: key, reason: reason)
            }
            let before = try SettingsRepository.get(on: conn, guild: guild, scope: scope, key: key)
            try SettingsRepository.set(on: conn, guild: guild, scope: scope, key: key, valueJSON: old, valueType: change.valueType,
                                       by: actor, at: now, changeType: "rollback")
            try Self.audit(on: conn, guild: guild, actor: actor, action: "setting.rollback", scope: scope, key: key,
                           before: before?.value, after: old, at: now)
        }
        await guilds.refresh(Snowflake(UInt64(bitPattern: guild)))
        return try await get(guild: guild, scope: scope, key: key)
    }

    private static func audit(on conn: any SQLConnection, guild: Int64, actor: Int64?, action: String, scope: String, key: String,
                              before: String?, after: String, at now: Date) throws {
        try AdminLogRepository.record(on: conn, guild: guild, actor: actor, action: action, targetType: auditTarget,
                                      targetID: "\(scope).\(key)", beforeJSON: before, afterJSON: after, at: now)
    }
}
