import Foundation
import Hummingbird
import WardenStore

/// `GET /v1/guilds/{guild}/users/{user}/history`: a member's automod log and escalation points, for moderators.
struct MemberRoutes {
    let database: any Database

    func register(on v1: RouterGroup<WardenRequestContext>) {
        v1.get("guilds/:guild/users/:user/history") { request, context in
            let guild = try context.guild(allowing: [.moderator])
            let user = try context.id("user")
            let limit = try request.integer("limit", in: 1...500) ?? 50
            let (logs, points) = try await database.transaction { conn in
                (try AutomodRepository.logs(on: conn, guild: guild, user: user, limit: Int(limit)),
                 try AutomodRepository.points(on: conn, guild: guild, user: user))
            }
            struct Log: Encodable {
                let id: Int64; let messageId: ID?; let channelId: ID?; let rule: String?; let actionTaken: String
                let timestamp: Date; let appealStatus: String
            }
            struct Points: Encodable { let ruleType: String; let points: Double; let violations: Int; let lastViolation: Date }
            struct History: Encodable { let guildId: ID; let userId: ID; let points: [Points]; let logs: [Log] }
            return try JSONBodies.response(History(
                guildId: ID(guild), userId: ID(user),
                points: points.map { Points(ruleType: $0.ruleType, points: $0.totalPoints, violations: $0.violationCount, lastViolation: $0.lastViolation) },
                logs: logs.map { Log(id: $0.id, messageId: $0.messageID.map(ID.init), channelId: $0.channelID.map(ID.init), rule: $0.ruleName,
                                     actionTaken: $0.actionTaken, timestamp: $0.timestamp, appealStatus: $0.appealStatus) }))
        }
    }
}
