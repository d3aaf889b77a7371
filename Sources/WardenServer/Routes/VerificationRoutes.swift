import Foundation
import Hummingbird
import WardenStore
import WardenSupport

/// Payment screenshots: the bot uploads one (raw image bytes with their Content-Type); moderators list
/// the ones awaiting review and resolve them. The vision call runs as a durable job; its result reaches
/// the bot as a `verification` event.
struct VerificationRoutes {
    let desk: VerificationDesk

    func register(on v1: RouterGroup<WardenRequestContext>) {
        v1.post("guilds/:guild/verifications") { request, context in
            let guild = try context.guild(allowing: [.bot])
            guard let user = try request.integer("user_id", in: 0...Int64.max) else {
                throw APIError.badRequest("invalid_parameter", "query parameter 'user_id' (the member) is required")
            }
            let channel = try request.integer("channel_id", in: 0...Int64.max) ?? 0
            let body = try await JSONBodies.bytes(request, limit: RequestLimits.screenshot, accepting: BodyFormat.images)
            let id = try await desk.submit(guild: guild, user: user, channel: channel, image: Array(body.readableBytesView),
                                           contentType: request.headers[.contentType])
            return try JSONBodies.response(VerificationView(try await desk.verification(id, guild: guild)), status: .accepted)
        }
        v1.get("guilds/:guild/verifications") { request, context in
            let guild = try context.guild(allowing: [.moderator])
            let limit = try request.integer("limit", in: 1...500) ?? 100
            let items = try await desk.awaitingReview(guild: guild, limit: Int(limit))
            struct Page: Encodable { let verifications: [VerificationView] }
            return try JSONBodies.response(Page(verifications: items.map(VerificationView.init)))
        }
        v1.get("guilds/:guild/verifications/:verification") { _, context in
            let guild = try context.guild(allowing: [.bot, .moderator])
            return try JSONBodies.response(VerificationView(try await desk.verification(try context.rowID("verification"), guild: guild)))
        }
        v1.post("guilds/:guild/verifications/:verification/resolve") { request, context in
            let guild = try context.guild(allowing: [.moderator])
            struct Body: Decodable { let verified: Bool; let moderatorId: RequestID; let rejectionReason: String? }
            let body = try await JSONBodies.decode(Body.self, from: request)
            let id = try context.rowID("verification")
            let resolved = try await desk.resolve(id, guild: guild, verified: body.verified, by: body.moderatorId.value,
                                                  rejectionReason: body.rejectionReason)
            return try JSONBodies.response(VerificationView(resolved))
        }
    }
}
