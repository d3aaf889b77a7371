import Hummingbird
import WardenPipeline

/// Appeals: the bot files one for a member; moderators list them (with the log, the message, the rule
/// hit, the evidence and the AI analysis) and approve or deny them.
struct AppealRoutes {
    let desk: AppealDesk

    func register(on v1: RouterGroup<WardenRequestContext>) {
        v1.post("guilds/:guild/appeals") { request, context in
            let guild = try context.guild(allowing: [.bot])
            struct Body: Decodable { let logId: Int64; let userId: RequestID; let reason: String }
            let body = try await JSONBodies.decode(Body.self, from: request)
            let appeal = try await desk.file(guild: guild, logID: body.logId, user: body.userId.value, reason: body.reason)
            return try JSONBodies.response(appeal, status: .created)
        }
        v1.get("guilds/:guild/appeals") { request, context in
            let guild = try context.guild(allowing: [.moderator])
            let statusText = request.uri.queryParameters.get("status") ?? "pending"
            guard let status = AppealStatus(rawValue: statusText), status != .none else {
                throw APIError.badRequest("invalid_parameter", "query parameter 'status' must be pending, approved or denied, got '\(statusText)'")
            }
            let limit = try request.integer("limit", in: 1...500) ?? 100
            struct Page: Encodable { let appeals: [AppealView] }
            return try JSONBodies.response(Page(appeals: try await desk.list(guild: guild, status: status, limit: Int(limit))))
        }
        v1.get("guilds/:guild/appeals/:appeal") { _, context in
            let guild = try context.guild(allowing: [.moderator])
            return try JSONBodies.response(try await desk.show(guild: guild, id: try context.rowID("appeal")))
        }
        v1.post("guilds/:guild/appeals/:appeal/approve") { request, context in
            let guild = try context.guild(allowing: [.moderator])
            let body = try await JSONBodies.decode(Decision.self, from: request)
            let outcome = try await desk.approve(guild: guild, id: try context.rowID("appeal"), moderator: body.moderatorId.value, note: body.note)
            return try JSONBodies.response(outcome.view.appeal)
        }
        v1.post("guilds/:guild/appeals/:appeal/deny") { request, context in
            let guild = try context.guild(allowing: [.moderator])
            let body = try await JSONBodies.decode(Decision.self, from: request)
            let outcome = try await desk.deny(guild: guild, id: try context.rowID("appeal"), moderator: body.moderatorId.value, note: body.note ?? "")
            return try JSONBodies.response(outcome.view.appeal)
        }
    }

    /// A moderator's decision on an appeal.
    struct Decision: Decodable {
        let moderatorId: RequestID
        let note: String?
    }
}
