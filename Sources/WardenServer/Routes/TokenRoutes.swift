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
            struct Body: Decodable { let role: String; let guildId: RequestID?; let label: String?; let userId: RequestID? }
            let body = try await JSONBodies.decode(Body.self, from: request)
            guard let role = Role(rawValue: body.role) else {
                throw APIError.badRequest("invalid_field", "field 'role': one of \(Role.allCases.map(\.rawValue).joined(separator: ", ")), got '\(body.role)'")
            }
            let created = try await tokens.issue(role: role, guild: body.guildId?.value, label: body.label, user: body.userId?.value, by: principal)
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
            try await tokens.revoke(id: try context.rowID("token"), by: principal)
            return Response(status: .noContent)
        }
    }
}
