import Hummingbird

extension WardenRequestContext {
    /// A path parameter that must be an id (Discord snowflake or a row id).
    func id(_ name: String) throws -> Int64 {
        guard let text = parameters.get(name), let value = UInt64(text) else {
            throw APIError.badRequest("invalid_parameter", "path parameter '\(name)' must be an id (digits), got '\(parameters.get(name) ?? "")'")
        }
        return Int64(bitPattern: value)
    }

    /// The `{guild}` path parameter, after checking the caller may act on that guild with one of `roles`.
    func guild(allowing roles: Set<Role>) throws -> Int64 {
        try authorize(roles)
        let guild = try id("guild")
        try authorize(guild: guild)
        return guild
    }

    /// Refuses a caller whose role is not among `roles` (admins always pass).
    @discardableResult
    func authorize(_ roles: Set<Role>) throws -> Principal {
        guard let principal else { throw APIError.unauthorized }
        guard principal.role == .admin || roles.contains(principal.role) else {
            let names = roles.map(\.rawValue).sorted().joined(separator: ", ")
            throw APIError(.forbidden, "forbidden_role", "this route needs a token with role \(names) or admin; this one is \(principal.role.rawValue)")
        }
        return principal
    }

    /// Refuses a caller whose token is scoped to another guild than `guild`.
    func authorize(guild: Int64) throws {
        guard let principal else { throw APIError.unauthorized }
        if let scope = principal.guild, scope != guild {
            throw APIError(.forbidden, "forbidden_guild",
                           "this token is scoped to guild \(UInt64(bitPattern: scope)) and cannot act on guild \(UInt64(bitPattern: guild))")
        }
    }

    /// Refuses a caller whose token is scoped to one guild (for routes about every guild, like tokens).
    func authorizeEveryGuild() throws {
        guard let principal else { throw APIError.unauthorized }
        if let scope = principal.guild {
            throw APIError(.forbidden, "forbidden_guild", "this token is scoped to guild \(UInt64(bitPattern: scope)); this route needs an unscoped token")
        }
    }
}

extension Request {
    /// A query parameter parsed as an integer in a range; nil when absent.
    func integer(_ name: String, in range: ClosedRange<Int64>) throws -> Int64? {
        guard let text = uri.queryParameters.get(name) else { return nil }
        guard let value = Int64(text), range.contains(value) else {
            throw APIError.badRequest("invalid_parameter", "query parameter '\(name)' must be an integer in \(range.lowerBound)...\(range.upperBound), got '\(text)'")
        }
        return value
    }
}
