import Foundation
import WardenCore
import WardenStore

/// One setting of a guild. The HTTP API encodes it with snake_case keys and ISO 8601 dates.
public struct SettingView: Codable, Sendable, Equatable {
    public var scope: String
    public var key: String
    /// Nil only for a stored value that is not JSON (the database checks it, so this does not happen).
    public var value: JSONValue?
    public var updatedBy: Snowflake?
    public var updatedAt: Date?

    init(_ s: Setting) {
        scope = s.scope; key = s.key; value = try? JSONValue.parse(s.valueJSON)
        updatedBy = s.updatedBy.map { Snowflake(UInt64(bitPattern: $0)) }; updatedAt = s.updatedAt
    }
}

/// A guild's settings in one scope (the defaults apply to keys not listed).
public struct SettingPage: Codable, Sendable, Equatable {
    public var scope: String
    public var settings: [SettingView]
}

/// One change of a setting, from `settings_history`.
public struct SettingChangeView: Codable, Sendable, Equatable {
    public var id: Int64
    public var oldValue: JSONValue?
    public var newValue: JSONValue?
    public var changedBy: Snowflake?
    public var changedAt: Date?
    /// `created`, `updated` or `rollback`.
    public var changeType: String

    init(_ c: SettingChange) {
        id = c.id; oldValue = c.oldValueJSON.flatMap { try? JSONValue.parse($0) }; newValue = try? JSONValue.parse(c.newValueJSON)
        changedBy = c.changedBy.map { Snowflake(UInt64(bitPattern: $0)) }; changedAt = c.changedAt; changeType = c.changeType
    }
}

/// A setting's changes, newest first.
public struct SettingHistory: Codable, Sendable, Equatable {
    public var changes: [SettingChangeView]
}
