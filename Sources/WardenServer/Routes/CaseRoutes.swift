import Hummingbird
import WardenPipeline

/// Cases: moderators record manual actions (the bot performs them from the events feed), list and read
/// cases, and correct a case's reason (audited). Automatic cases are opened by the pipeline.
struct CaseRoutes {
    let desk: CaseDesk

    func register(on v1: RouterGroup<WardenRequestContext>) {
        v1.post("guilds/:guild/cases") { request, context in
            let guild = try context.guild(allowing: [.moderator])
            let body = try await JSONBodies.decode(Opening.self, from: request)
            let recorded = try await desk.record(guild: guild, user: body.userId.value, action: body.action, reason: body.reason,
                                                 durationSeconds: body.durationSeconds, moderator: try moderator(body.moderatorId, context))
            return try JSONBodies.response(recorded, status: .created, encoder: JSONBodies.verbatim)
        }
        v1.get("guilds/:guild/cases") { request, context in
            let guild = try context.guild(allowing: [.moderator])
            let user = try request.uri.queryParameters.get("user").map { text -> Int64 in
                guard let id = RequestID.parse(text) else { throw APIError.badRequest("invalid_parameter", "query parameter 'user' must be a member id, got '\(text.prefix(40))'") }
                return id
            }
            let before = try request.integer("before", in: 1...Int64(Int32.max)).map(Int.init)
            let limit = try request.integer("limit", in: 1...500) ?? 100
            struct Page: Encodable { let cases: [CaseView] }
            return try JSONBodies.response(Page(cases: try await desk.list(guild: guild, user: user, before: before, limit: Int(limit))), encoder: JSONBodies.verbatim)
        }
        v1.get("guilds/:guild/cases/:number") { _, context in
            let guild = try context.guild(allowing: [.moderator])
            return try JSONBodies.response(try await desk.find(guild: guild, number: try number(context)), encoder: JSONBodies.verbatim)
        }
        v1.patch("guilds/:guild/cases/:number") { request, context in
            let guild = try context.guild(allowing: [.moderator])
            let body = try await JSONBodies.decode(Edit.self, from: request)
            let view = try await desk.editReason(guild: guild, number: try number(context), reason: body.reason, moderator: try moderator(body.moderatorId, context))
            return try JSONBodies.response(view, encoder: JSONBodies.verbatim)
        }
    }

    /// A manual action: `user_id`, `action`, `reason`, `duration_seconds` (timeout: required; ban and mute: makes it
    /// temporary), `moderator_id` (default: the token's user).
    struct Opening: Decodable {
        let userId: RequestID
        let action: String
        let reason: String
        let durationSeconds: Int?
        let moderatorId: RequestID?
    }

    struct Edit: Decodable {
        let reason: String
        let moderatorId: RequestID?
    }

    /// The token's holder when the token names one (a body naming someone else is refused, so the audit cannot
    /// be attributed to another moderator), else the moderator named in the body.
    private func moderator(_ named: RequestID?, _ context: WardenRequestContext) throws -> Int64 {
        if let user = context.principal?.user {
            if let named, named.value != user {
                throw APIError(.forbidden, "forbidden_moderator", "this token acts for user \(UInt64(bitPattern: user)); leave moderator_id out or give that id")
            }
            return user
        }
        if let named { return named.value }
        throw APIError.badRequest("invalid_body", "missing field 'moderator_id' (this token names no user: create tokens with --user to leave it out)")
    }

    private func number(_ context: WardenRequestContext) throws -> Int {
        let value = try context.id("number")
        guard value >= 1, value <= Int64(Int32.max) else { throw APIError.notFound("case \(value)") }
        return Int(value)
    }
}
