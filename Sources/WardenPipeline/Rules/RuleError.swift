import WardenCore

/// Why a rule operation was refused. Each case names what was wrong and where; nothing was changed.
public enum RuleError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The rule does not pass the pack checks (bad field, bad pattern with its PCRE2 offset, ...).
    case invalidRule(RuleIssue)
    /// The body held no rule, or more than one.
    case notOneRule
    /// The rule's own name is not the one it is put under.
    case nameMismatch(rule: String, path: String)
    /// The guild has no rule of that name.
    case ruleNotFound(String, guild: Int64)
    /// The guild's rules, with this change, would pass one of its ``RuleLimits``.
    case ruleLimit(RuleLimits.Exceeded, guild: Int64)
    /// A dry run was given a message of another guild than the one whose rules it tries.
    case messageOfAnotherGuild(message: Snowflake, guild: Int64)
    /// A backtest was given more messages of the admin's own than it replays.
    case tooManyBacktestMessages(Int, limit: Int)
    /// One of a backtest's messages is not a Discord message (`index` from 0, as in the request's array).
    case invalidBacktestMessage(index: Int, IngestError)
    /// A backtest is already running for the guild (`guild` set), or `limit` are running across guilds.
    case backtestRunning(guild: Int64?, running: Int, limit: Int)

    public var description: String {
        switch self {
        case .invalidRule(let issue): issue.description
        case .notOneRule: "the body must be one rule"
        case .nameMismatch(let rule, let path): "the rule's name '\(rule)' differs from the path's '\(path)'"
        case .ruleNotFound(let name, let guild): "rule '\(name)' in guild \(UInt64(bitPattern: guild)) not found"
        case .ruleLimit(let exceeded, let guild):
            "guild \(UInt64(bitPattern: guild)): \(exceeded)"
        case .messageOfAnotherGuild(let message, let guild):
            "field 'guild_id': the message is of guild \(message), not of guild \(UInt64(bitPattern: guild))"
        case .tooManyBacktestMessages(let count, let limit):
            "field 'messages': \(count) messages, more than the \(limit) a backtest replays"
        case .invalidBacktestMessage(let index, let error):
            "messages[\(index)]: \(error)"
        case .backtestRunning(let guild?, _, _):
            "guild \(UInt64(bitPattern: guild)) has a backtest running; try again when it has answered"
        case .backtestRunning(nil, let running, let limit):
            "\(running) backtests are running (at most \(limit) at once); try again shortly"
        }
    }
}

extension RuleError: ServiceError {
    public var httpStatus: Int {
        switch self {
        // Text the store does not keep is refused like every other such text (400 `invalid_text`).
        case .invalidRule(let issue) where issue.code != nil: 400
        case .invalidRule, .ruleLimit: 422
        case .notOneRule, .nameMismatch, .messageOfAnotherGuild, .tooManyBacktestMessages, .invalidBacktestMessage: 400
        case .ruleNotFound: 404
        case .backtestRunning: 409
        }
    }

    public var code: String {
        switch self {
        case .invalidRule(let issue): issue.code ?? "invalid_rule"
        case .notOneRule, .nameMismatch: "invalid_rule"
        case .ruleNotFound: "not_found"
        case .ruleLimit: "rule_limit"
        case .messageOfAnotherGuild, .tooManyBacktestMessages: "invalid_field"
        case .invalidBacktestMessage(_, let error): error.code
        case .backtestRunning: "backtest_running"
        }
    }
}
