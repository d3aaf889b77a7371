import WardenCore

/// Why a webhook operation was refused. Each case names what was wrong; nothing was changed.
public enum WebhookError: Error, Sendable, Equatable, CustomStringConvertible, ServiceError {
    /// No such endpoint, or one the caller's guild scope does not reach (reported alike, so ids cannot be probed).
    case endpointNotFound(Int64)
    /// A field of the registration is unusable.
    case invalidField(String, reason: String)
    /// A guild-scoped caller asked for an endpoint of every guild.
    case everyGuildNeedsUnscopedToken(scope: Int64)
    /// A guild-scoped caller named another guild.
    case otherGuild(scope: Int64, guild: Int64)

    public var description: String {
        switch self {
        case .endpointNotFound(let id): "webhook \(id) not found"
        case .invalidField(let field, let reason): "field '\(field)': \(reason)"
        case .everyGuildNeedsUnscopedToken(let scope):
            "this token is scoped to guild \(UInt64(bitPattern: scope)); a webhook for every guild needs an unscoped admin token (or give guild_id)"
        case .otherGuild(let scope, let guild):
            "this token is scoped to guild \(UInt64(bitPattern: scope)); it cannot act for guild \(UInt64(bitPattern: guild))"
        }
    }

    public var httpStatus: Int {
        switch self {
        case .endpointNotFound: 404
        case .invalidField: 400
        case .everyGuildNeedsUnscopedToken, .otherGuild: 403
        }
    }

    public var code: String {
        switch self {
        case .endpointNotFound: "not_found"
        case .invalidField: "invalid_field"
        case .everyGuildNeedsUnscopedToken, .otherGuild: "forbidden_guild"
        }
    }
}
