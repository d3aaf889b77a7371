import Foundation
import Hummingbird
import WardenStore

/// `GET /v1/guilds/{guild}/events?after=CURSOR&limit=N&wait=SECONDS`: the durable feed of late actions
/// (LLM verdicts, appeal decisions, verification results). The answer's `cursor` is the `after` of the next call.
struct EventRoutes {
    let feed: EventFeed

    func register(on v1: RouterGroup<WardenRequestContext>) {
        v1.get("guilds/:guild/events") { request, context in
            let guild = try context.guild(allowing: [.bot, .moderator])
            let after = try request.integer("after", in: 0...Int64.max) ?? 0
            let limit = try request.integer("limit", in: 1...500) ?? 100
            let wait = try request.integer("wait", in: 0...60) ?? 0
            let events = try await feed.read(guild: guild, after: after, limit: Int(limit), wait: .seconds(wait))
            struct Item: Encodable { let id: Int64; let kind: String; let createdAt: String; let payload: EmbeddedJSON? }
            struct Page: Encodable { let events: [Item]; let cursor: Int64 }
            return try JSONBodies.response(Page(
                events: events.map { Item(id: $0.id, kind: $0.kind, createdAt: $0.createdAt, payload: EmbeddedJSON($0.payloadJSON)) },
                cursor: events.last?.id ?? after))
        }
    }
}
