import Foundation
import Hummingbird
import WardenCore
import WardenLLM
import WardenPipeline
import WardenStore

/// Guild settings for admins: read, change (validated, with history), read the history, roll back.
struct SettingRoutes {
    let database: any Database
    let guilds: GuildDirectory
    let clock: @Sendable () -> Date

    func register(on v1: RouterGroup<WardenRequestContext>) {
        v1.get("guilds/:guild/settings") { request, context in
            let guild = try context.guild(allowing: [.admin])
            let scope = request.uri.queryParameters.get("scope") ?? GuildPolicy.scope
            let settings = try await SettingsRepository(database: database).all(guild: guild, scope: scope)
            struct Page: Encodable { let scope: String; let settings: [SettingView] }
            return try JSONBodies.response(Page(scope: scope, settings: settings.map(SettingView.init)))
        }
        v1.put("guilds/:guild/settings/:scope/:key") { request, context in
            let guild = try context.guild(allowing: [.admin])
            let (scope, key) = try names(context)
            try Self.checkOperatorScope(scope, context)
            struct Body: Decodable { let value: JSONValue; let by: RequestID? }
            let body = try await JSONBodies.decode(Body.self, from: request)
            let json = body.value.encoded()
            do throws(SettingValidator.Invalid) { try SettingValidator.validate(scope: scope, key: key, json: json) } catch {
                throw APIError(.unprocessableContent, "invalid_setting", error.description)
            }
            let now = clock()
            try await database.transaction { conn in
                try SettingsRepository.set(on: conn, guild: guild, scope: scope, key: key, valueJSON: json, valueType: nil,
                                           by: body.by?.value, at: now)
            }
            guilds.invalidate(Snowflake(UInt64(bitPattern: guild)))
            return try await current(guild: guild, scope: scope, key: key)
        }
        v1.get("guilds/:guild/settings/:scope/:key/history") { request, context in
            let guild = try context.guild(allowing: [.admin])
            let (scope, key) = try names(context)
            let limit = try request.integer("limit", in: 1...500) ?? 50
            let changes = try await SettingsRepository(database: database).history(guild: guild, scope: scope, key: key, limit: Int(limit))
            struct Page: Encodable { let changes: [ChangeView] }
            return try JSONBodies.response(Page(changes: changes.map(ChangeView.init)))
        }
        v1.post("guilds/:guild/settings/:scope/:key/rollback") { request, context in
            let guild = try context.guild(allowing: [.admin])
            let (scope, key) = try names(context)
            try Self.checkOperatorScope(scope, context)
            struct Body: Decodable { let changeId: Int64; let by: RequestID? }
            let body = try await JSONBodies.decode(Body.self, from: request)
            let now = clock()
            try await database.transaction { conn in
                guard let change = try SettingsRepository.change(on: conn, id: body.changeId, guild: guild),
                      change.scope == scope, change.key == key else {
                    throw APIError.notFound("change \(body.changeId) of \(scope).\(key)")
                }
                guard let old = change.oldValueJSON else {
                    throw APIError(.conflict, "nothing_to_restore", "change \(body.changeId) created \(scope).\(key); there is no earlier value to restore")
                }
                // An old value may predate today's checks; it is restored only if it would be accepted now.
                do throws(SettingValidator.Invalid) { try SettingValidator.validate(scope: scope, key: key, json: old) } catch {
                    throw APIError(.unprocessableContent, "invalid_setting", "the value before change \(body.changeId) is no longer valid: \(error.description)")
                }
                try SettingsRepository.set(on: conn, guild: guild, scope: scope, key: key, valueJSON: old, valueType: change.valueType,
                                           by: body.by?.value, at: now, changeType: "rollback")
            }
            guilds.invalidate(Snowflake(UInt64(bitPattern: guild)))
            return try await current(guild: guild, scope: scope, key: key)
        }
    }

    /// LLM quotas spend the operator's model budget: only an admin of every guild (an unscoped token) may change them.
    static func checkOperatorScope(_ scope: String, _ context: WardenRequestContext) throws {
        guard scope == QuotaGate.settingsScope, let guild = context.principal?.guild else { return }
        throw APIError(.forbidden, "forbidden_scope", "settings of scope \(scope) are the operator's: they need an unscoped admin token (this one is scoped to guild \(UInt64(bitPattern: guild)))")
    }

    private func names(_ context: WardenRequestContext) throws -> (String, String) {
        guard let scope = context.parameters.get("scope"), let key = context.parameters.get("key"),
              Self.isName(scope), Self.isName(key) else {
            throw APIError.badRequest("invalid_parameter", "scope and key are lower-case names (a-z, 0-9, _), at most 64 characters")
        }
        return (scope, key)
    }

    static func isName(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 64 && text.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F }
    }

    private func current(guild: Int64, scope: String, key: String) async throws -> Response {
        let settings = try await SettingsRepository(database: database).all(guild: guild, scope: scope)
        guard let setting = settings.first(where: { $0.key == key }) else { throw APIError.notFound("setting \(scope).\(key)") }
        return try JSONBodies.response(SettingView(setting))
    }
}

struct SettingView: Encodable {
    let scope: String
    let key: String
    let value: EmbeddedJSON?
    let updatedBy: ID?
    let updatedAt: Date?
    init(_ s: Setting) {
        scope = s.scope; key = s.key; value = EmbeddedJSON(s.valueJSON); updatedBy = s.updatedBy.map(ID.init); updatedAt = s.updatedAt
    }
}

struct ChangeView: Encodable {
    let id: Int64
    let oldValue: EmbeddedJSON?
    let newValue: EmbeddedJSON?
    let changedBy: ID?
    let changedAt: Date?
    let changeType: String
    init(_ c: SettingChange) {
        id = c.id; oldValue = EmbeddedJSON(c.oldValueJSON); newValue = EmbeddedJSON(c.newValueJSON)
        changedBy = c.changedBy.map(ID.init); changedAt = c.changedAt; changeType = c.changeType
    }
}
