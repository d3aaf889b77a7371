import Foundation
import Hummingbird
import WardenStore

extension WardenRequestContext {
    /// A path parameter, percent-decoded (the router hands them over as sent: `a%20b`, `%C3%A9`). Every
    /// route reads its path parameters through here.
    func parameter(_ name: String) throws -> String {
        guard let raw = parameters.get(name) else {
            throw APIError.badRequest("invalid_parameter", "path parameter '\(name)' is missing")
        }
        guard let decoded = raw.removingPercentEncoding else {
            throw APIError.badRequest("invalid_parameter", "path parameter '\(name)' is not valid percent-encoded UTF-8: '\(raw)'")
        }
        return decoded
    }

    /// A path parameter that must be an id: a Discord snowflake, or a row of a BIGSERIAL table (rows of SERIAL
    /// tables go through ``rowID(_:)``).
    func id(_ name: String) throws -> Int64 {
        let text = try parameter(name)
        guard let value = RequestID.parse(text) else {
            throw APIError.badRequest("invalid_parameter", "path parameter '\(name)' must be an id (digits, below 2^63), got '\(text)'")
        }
        return value
    }

    /// A path parameter naming a row of a SERIAL table (``RowIDRange/serial``): an id past that range
    /// cannot exist on either store, so it is a 404 naming what was looked for.
    func rowID(_ name: String) throws -> Int64 {
        let value = try id(name)
        guard RowIDRange.serial.contains(value) else { throw APIError.notFound("\(name) \(UInt64(value))") }
        return value
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
            let others = roles.subtracting([.admin]).map(\.rawValue).sorted()
            let needed = others.isEmpty ? "admin" : "\(others.joined(separator: ", ")) or admin"
            throw APIError(.forbidden, "forbidden_role", "this route needs a token with role \(needed); this one is \(principal.role.rawValue)")
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
