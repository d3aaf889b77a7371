import Foundation
import Hummingbird
import WardenStore

/// API tokens for admins. An admin scoped to a guild manages that guild's tokens and can create tokens
/// for it only; an unscoped admin manages all of them. The token text is in the creation answer only.
struct TokenRoutes {
    let tokens: TokenStore

    func register(on v1: RouterGroup<WardenRequestContext>) {
        v1.post("tokens") { request, context in
            let principal = try context.authorize([.admin])
            struct Body: Decodable { let role: String; let guildId: RequestID?; let label: String? }
            let body = try await JSONBodies.decode(Body.self, from: request)
            guard let role = Role(rawValue: body.role) else {
                throw APIError.badRequest("invalid_field", "field 'role': one of \(Role.allCases.map(\.rawValue).joined(separator: ", ")), got '\(body.role)'")
            }
            if let scope = principal.guild {
                // A guild's admin cannot mint a token that reaches other guilds.
                guard let guild = body.guildId?.value, guild == scope else {
                    throw APIError(.forbidden, "forbidden_guild", "this token is scoped to guild \(UInt64(bitPattern: scope)); new tokens must be scoped to it too (guild_id)")
                }
            }
            if let label = body.label, label.count > 200 { throw APIError.badRequest("invalid_field", "field 'label': at most 200 characters") }
            let created = try await tokens.create(role: role, guild: body.guildId?.value, label: body.label)
            struct Created: Encodable { let token: String; let record: TokenView }
            return try JSONBodies.response(Created(token: created.token, record: TokenView(created.record)), status: .created)
        }
        v1.get("tokens") { _, context in
            let principal = try context.authorize([.admin])
            struct Page: Encodable { let tokens: [TokenView] }
            return try JSONBodies.response(Page(tokens: try await tokens.list(guild: principal.guild).map(TokenView.init)))
        }
        v1.delete("tokens/:token") { _, context in
            let principal = try context.authorize([.admin])
            let id = try context.rowID("token")
            guard let record = try await tokens.find(id: id), principal.guild == nil || record.guildID == principal.guild else {
                throw APIError.notFound("token \(id)")
            }
            guard try await tokens.revoke(id: id) else { throw APIError(.conflict, "already_revoked", "token \(id) is revoked already") }
            return Response(status: .noContent)
        }
    }
}
