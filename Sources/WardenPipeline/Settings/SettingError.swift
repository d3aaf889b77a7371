import WardenCore

/// Why a settings operation was refused. Each case names what was wrong and where; nothing was changed.
public enum SettingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The value is not JSON, or its scope's check refuses it.
    case invalidValue(scope: String, key: String, reason: String)
    /// The value a rollback would restore is refused by today's checks (it predates them).
    case notRestorable(change: Int64, scope: String, key: String, reason: String)
    /// The guild has no such setting.
    case settingNotFound(scope: String, key: String)
    /// The guild has no such change of that setting.
    case changeNotFound(Int64, scope: String, key: String)
    /// The change created the setting: there is no earlier value to go back to.
    case nothingToRestore(change: Int64, scope: String, key: String)

    public var description: String {
        switch self {
        case .invalidValue(let scope, let key, let reason): "invalid value for \(scope).\(key): \(reason)"
        case .notRestorable(let change, let scope, let key, let reason):
            "the value before change \(change) is no longer valid: invalid value for \(scope).\(key): \(reason)"
        case .settingNotFound(let scope, let key): "setting \(scope).\(key) not found"
        case .changeNotFound(let id, let scope, let key): "change \(id) of \(scope).\(key) not found"
        case .nothingToRestore(let change, let scope, let key):
            "change \(change) created \(scope).\(key); there is no earlier value to restore"
        }
    }
}

extension SettingError: ServiceError {
    public var httpStatus: Int {
        switch self {
        case .invalidValue, .notRestorable: 422
        case .settingNotFound, .changeNotFound: 404
        case .nothingToRestore: 409
        }
    }

    public var code: String {
        switch self {
        case .invalidValue, .notRestorable: "invalid_setting"
        case .settingNotFound, .changeNotFound: "not_found"
        case .nothingToRestore: "nothing_to_restore"
        }
    }
}
