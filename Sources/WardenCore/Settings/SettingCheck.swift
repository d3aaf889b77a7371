/// How one settings scope checks a value before it is stored, so a typo cannot silently break a guild.
///
/// Each domain provides the checks of its own scope (the automod policy, LLM quotas, the support desk),
/// and the settings desk is given the list: the desk needs no knowledge of what any scope means.
public struct SettingCheck: Sendable {
    /// The `bot_settings` scope this check covers.
    public let scope: String
    private let check: @Sendable (_ key: String, _ json: String) throws(SettingRejection) -> Void

    /// - Parameter check: throws when `json` is not an acceptable value for `key` in `scope`; keys it does
    ///   not know may be accepted or refused, as the scope's reader prefers.
    public init(scope: String, check: @escaping @Sendable (_ key: String, _ json: String) throws(SettingRejection) -> Void) {
        self.scope = scope
        self.check = check
    }

    /// Throws when `json` (already known to be JSON) cannot be used as `key`'s value.
    public func validate(key: String, json: String) throws(SettingRejection) {
        try check(key, json)
    }
}

/// Why a setting's value was refused, for a person ("expected an integer", "unknown key; known: ...").
public struct SettingRejection: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
