/// What a token may do. Admin includes every other role; the others do not include each other.
public enum Role: String, Sendable, CaseIterable, Codable {
    /// The Discord bot: posts messages, reads the events feed, files appeals, opens tickets, uploads screenshots.
    case bot
    /// Reviews appeals and payment screenshots, reads members' history.
    case moderator
    /// Reviews FAQ proposals and searches the FAQ.
    case staff
    /// Everything, plus rules, settings and tokens.
    case admin
}

/// The caller of a request, from its bearer token.
public struct Principal: Sendable, Equatable {
    public var tokenID: Int64
    public var role: Role
    /// The one guild the token reaches, or nil for every guild.
    public var guild: Int64?
    /// The Discord user holding the token (`--user`), to whom the console attributes what it does; nil when not given.
    public var user: Int64?

    public init(tokenID: Int64, role: Role, guild: Int64?, user: Int64? = nil) {
        self.tokenID = tokenID; self.role = role; self.guild = guild; self.user = user
    }
}
