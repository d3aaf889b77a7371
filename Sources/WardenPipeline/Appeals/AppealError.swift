/// Why an appeal operation was refused. Each case names what was wrong and where; nothing was changed.
public enum AppealError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No such automod log in that guild (another guild's log is reported the same way, so ids of other
    /// guilds cannot be probed).
    case logNotFound(Int64, guild: Int64)
    /// The log is about another member: only the member an action was taken against can appeal it.
    case notYourLog(log: Int64, user: Int64)
    /// The guild's appeal window (`automod.appeal_window_days`) has passed since the action.
    case windowClosed(log: Int64, days: Int)
    /// The log has an appeal already, in this status; each action can be appealed once.
    case alreadyAppealed(log: Int64, status: AppealStatus)
    /// The appeal's reason is empty or too long.
    case invalidReason(String)
    /// No such appeal in that guild (another guild's appeal is reported the same way).
    case appealNotFound(Int64, guild: Int64)
    /// The appeal was decided already (also when a concurrent decision got there first).
    case alreadyDecided(appeal: Int64, status: AppealStatus)
    /// The moderator's note is missing (a denial needs one) or too long.
    case invalidNote(String)
    /// A guild setting the desk reads cannot be used.
    case invalidSetting(guild: Int64, key: String, reason: String)
    /// The stored log cannot be read back (its decision JSON or its status is not what Warden writes).
    case unreadableLog(Int64, reason: String)
    /// The appeal's stored triage cannot be read back (a status, suggestion or JSON column Warden does not write).
    case unreadableTriage(appeal: Int64, reason: String)

    /// A stable machine-readable code for API error bodies (`{"error": {"code": ..., "message": ...}}`).
    public var code: String {
        switch self {
        case .logNotFound: "log_not_found"
        case .notYourLog: "not_your_log"
        case .windowClosed: "appeal_window_closed"
        case .alreadyAppealed: "already_appealed"
        case .invalidReason: "invalid_reason"
        case .appealNotFound: "appeal_not_found"
        case .alreadyDecided: "already_decided"
        case .invalidNote: "invalid_note"
        case .invalidSetting: "invalid_setting"
        case .unreadableLog: "unreadable_log"
        case .unreadableTriage: "unreadable_triage"
        }
    }

    public var description: String {
        switch self {
        case .logNotFound(let id, let guild): "automod log \(id) does not exist in guild \(guild)"
        case .notYourLog(let log, let user): "automod log \(log) is not about user \(user); only that member can appeal it"
        case .windowClosed(let log, let days): "automod log \(log) is older than the guild's appeal window of \(days) days"
        case .alreadyAppealed(let log, let status): "automod log \(log) was appealed already (that appeal is \(status.rawValue))"
        case .invalidReason(let why): "reason: \(why)"
        case .appealNotFound(let id, let guild): "appeal \(id) does not exist in guild \(guild)"
        case .alreadyDecided(let id, let status): "appeal \(id) is \(status.rawValue), not pending"
        case .invalidNote(let why): "note: \(why)"
        case .invalidSetting(let guild, let key, let reason): "guild \(guild): setting automod.\(key) is invalid: \(reason)"
        case .unreadableLog(let id, let reason): "automod log \(id) cannot be read: \(reason)"
        case .unreadableTriage(let appeal, let reason): "the triage of appeal \(appeal) cannot be read: \(reason)"
        }
    }
}
