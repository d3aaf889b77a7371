import Hummingbird
import WardenPipeline

/// `GET /v1/guilds/{guild}/users/{user}/history`: a member's automod log and escalation points, for moderators.
struct MemberRoutes {
    let records: MemberRecords

    func register(on v1: RouterGroup<WardenRequestContext>) {
        v1.get("guilds/:guild/users/:user/history") { request, context in
            let guild = try context.guild(allowing: [.moderator])
            let user = try context.id("user")
            let limit = try request.integer("limit", in: 1...500) ?? 50
            return try JSONBodies.response(try await records.history(guild: guild, user: user, limit: Int(limit)))
        }
    }
}
