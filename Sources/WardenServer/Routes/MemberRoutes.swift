import Hummingbird
import WardenPipeline
import WardenStore

/// A member's record: `GET .../users/{user}/history` for moderators (logs, points, cases, running punishments),
/// and `DELETE .../users/{user}` for admins, the member's request to be forgotten (audited).
struct MemberRoutes {
    let records: MemberRecords
    let privacy: PrivacyDesk

    func register(on v1: RouterGroup<WardenRequestContext>) {
        v1.get("guilds/:guild/users/:user/history") { request, context in
            let guild = try context.guild(allowing: [.moderator])
            let user = try context.id("user")
            let limit = try request.integer("limit", in: 1...500) ?? 50
            return try JSONBodies.response(try await records.history(guild: guild, user: user, limit: Int(limit)))
        }
        v1.delete("guilds/:guild/users/:user") { _, context in
            let guild = try context.guild(allowing: [.admin])
            let user = try context.id("user")
            struct Answer: Encodable { let forgotten: MemberDataRepository.Forgotten }
            return try JSONBodies.response(Answer(forgotten: try await privacy.forget(guild: guild, user: user, by: context.principal?.user)))
        }
    }
}
