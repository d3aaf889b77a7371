/// A signed-in console browser: who it acts as (the token's principal) and the CSRF token its forms carry.
public struct ConsoleSession: Sendable, Equatable {
    /// SHA-256 of the session id in the cookie (what the store keys it by).
    public var idHash: String
    public var principal: Principal
    /// Every state-changing form carries it as `csrf`; a POST without it is refused.
    public var csrf: String
}

/// A banned member signed in with Discord on the appeal form of one guild.
public struct MemberSession: Sendable, Equatable {
    public var idHash: String
    public var guild: Int64
    public var user: Int64
    public var username: String
    public var csrf: String
}
