import Foundation
import Hummingbird
import WardenCore
import WardenLLM
import WardenPipeline

/// Guild settings for admins (``SettingDesk``): read, change (validated, with history), read the history,
/// roll back.
struct SettingRoutes {
    let desk: SettingDesk

    func register(on v1: RouterGroup<WardenRequestContext>) {
        v1.get("guilds/:guild/settings") { request, context in
            let guild = try context.guild(allowing: [.admin])
            let scope = request.uri.queryParameters.get("scope") ?? GuildPolicy.scope
            return try JSONBodies.response(try await desk.get(guild: guild, scope: scope))
        }
        v1.put("guilds/:guild/settings/:scope/:key") { request, context in
            let guild = try context.guild(allowing: [.admin])
            let (scope, key) = try names(context)
            try Self.checkOperatorScope(scope, context)
            struct Body: Decodable { let value: JSONValue; let by: RequestID? }
            let body = try await JSONBodies.decode(Body.self, from: request)
            return try JSONBodies.response(try await desk.set(guild: guild, scope: scope, key: key, json: body.value.encoded(), by: body.by?.value))
        }
        v1.get("guilds/:guild/settings/:scope/:key/history") { request, context in
            let guild = try context.guild(allowing: [.admin])
            let (scope, key) = try names(context)
            let limit = try request.integer("limit", in: 1...500) ?? 50
            return try JSONBodies.response(try await desk.history(guild: guild, scope: scope, key: key, limit: Int(limit)))
        }
        v1.post("guilds/:guild/settings/:scope/:key/rollback") { request, context in
            let guild = try context.guild(allowing: [.admin])
            let (scope, key) = try names(context)
            try Self.checkOperatorScope(scope, context)
            struct Body: Decodable { let changeId: Int64; let by: RequestID? }
            let body = try await JSONBodies.decode(Body.self, from: request)
            return try JSONBodies.response(try await desk.rollback(guild: guild, scope: scope, key: key, change: body.changeId, by: body.by?.value))
        }
    }

    /// LLM quotas spend the operator's model budget: only an admin of every guild (an unscoped token) may change them.
    static func checkOperatorScope(_ scope: String, _ context: WardenRequestContext) throws {
        guard scope == QuotaGate.settingsScope, let guild = context.principal?.guild else { return }
        throw APIError(.forbidden, "forbidden_scope", "settings of scope \(scope) are the operator's: they need an unscoped admin token (this one is scoped to guild \(UInt64(bitPattern: guild)))")
    }

    private func names(_ context: WardenRequestContext) throws -> (String, String) {
        guard let scope = try? context.parameter("scope"), let key = try? context.parameter("key"),
              SettingDesk.isName(scope), SettingDesk.isName(key) else {
            throw APIError.badRequest("invalid_parameter", "scope and key are lower-case names (a-z, 0-9, _), at most 64 characters")
        }
        return (scope, key)
    }
}
