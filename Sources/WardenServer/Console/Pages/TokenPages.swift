import Foundation
import Hummingbird
import WardenStore

/// Admins' tokens: the list (a guild's admin sees that guild's), create one (shown once, on the answer to
/// the form, never again), revoke one (its console sessions end with it). The rules are ``TokenStore``'s,
/// the same as the API's.
struct TokenPages {
    let tokens: TokenStore
    let renderer: ConsoleRenderer

    struct Row { let id: String; let role: String; let scope: String; let holder: String; let label: String; let created: String; let active: Bool }
    struct Model {
        let frame: ConsoleFrame
        let roles: [Option]
        let guild: String
        let scoped: Bool
        let rows: [Row]
        let created: String?
        let createdID: String?
        let error: String?
        let notice: String?
    }

    func register(on console: RouterGroup<WardenRequestContext>) {
        console.get("tokens") { request, context in
            let query = try ConsoleQuery(request)
            return try await page(context, guildHint: query["guild"], created: nil, error: nil,
                                  notice: query.id("revoked").map { "Token \($0) revoked; its console sessions have ended." })
        }
        console.post("tokens") { _, context in
            let principal = try context.authorize([.admin])
            let form = context.form
            guard let role = Role(rawValue: try form.required("role", "The role")) else {
                throw APIError.badRequest("invalid_field", "role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            func id(_ name: String, _ label: String) throws -> Int64? {
                guard let text = try form.text(name)?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
                guard let value = RequestID.parse(text) else { throw APIError.badRequest("invalid_field", "\(label) must be a Discord id (digits), got '\(text)'") }
                return value
            }
            let label = try form.text("label").flatMap { $0.isEmpty ? nil : $0 }
            do {
                let created = try await tokens.issue(role: role, guild: try id("guild", "The guild"), label: label, user: try id("user", "The holder"),
                                                     by: principal)
                return try await page(context, guildHint: nil, created: created, error: nil, notice: nil)
            } catch let error as APIError where error.status == .badRequest || error.status == .forbidden {
                return try await page(context, guildHint: nil, created: nil, error: error.message, notice: nil, status: error.status)
            }
        }
        console.post("tokens/:token/revoke") { _, context in
            let principal = try context.authorize([.admin])
            let id = try context.rowID("token")
            try await tokens.revoke(id: id, by: principal)
            return redirect(to: "/console/tokens" + HTML.query([("revoked", String(id))]))
        }
    }

    private func page(_ context: WardenRequestContext, guildHint: String?, created: TokenStore.Created?, error: String?, notice: String?,
                      status: HTTPResponse.Status = .ok) async throws -> Response {
        let principal = try context.authorize([.admin])
        let session = try context.session()
        let frameGuild = principal.guild ?? guildHint.flatMap(RequestID.parse)
        let rows = try await tokens.list(guild: principal.guild).map { t in
            Row(id: String(t.id), role: t.role, scope: t.guildID.map { "guild \(UInt64(bitPattern: $0))" } ?? "every guild",
                holder: t.userID.map { String(UInt64(bitPattern: $0)) } ?? "—", label: ConsoleText.visible(t.label ?? ""), created: ConsoleText.stamp(t.createdAt),
                active: t.revokedAt == nil)
        }
        let model = Model(frame: ConsoleFrame(session, guild: frameGuild, current: .tokens, title: "Tokens"),
                          roles: Role.allCases.map { Option(value: $0.rawValue, label: $0.rawValue, selected: $0 == .moderator) },
                          guild: (principal.guild ?? frameGuild).map { String(UInt64(bitPattern: $0)) } ?? "", scoped: principal.guild != nil,
                          rows: rows, created: created?.token, createdID: created.map { String($0.record.id) }, error: error, notice: notice)
        return renderer.page("tokens", model, status: status)
    }
}
