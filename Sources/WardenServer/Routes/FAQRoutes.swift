import Foundation
import Hummingbird
import WardenStore
import WardenSupport

/// FAQ proposals for staff (list, show with source summaries, edit, approve with edits, reject with a
/// reason; every decision audited), FAQ search for the bot and staff, and deflection figures for staff.
struct FAQRoutes {
    let desk: FAQDesk
    let deflection: FAQDeflectionDesk

    func register(on v1: RouterGroup<WardenRequestContext>) {
        v1.get("guilds/:guild/faq/proposals") { request, context in
            let guild = try context.guild(allowing: [.staff])
            let limit = try request.integer("limit", in: 1...500) ?? 100
            struct Page: Encodable { let proposals: [ProposalView] }
            return try JSONBodies.response(Page(proposals: try await desk.pending(guild: guild, limit: Int(limit)).map { ProposalView($0) }))
        }
        v1.get("guilds/:guild/faq/proposals/:proposal") { _, context in
            let guild = try context.guild(allowing: [.staff])
            let detail = try await desk.proposal(try context.rowID("proposal"), guild: guild)
            return try JSONBodies.response(ProposalView(detail.proposal, sources: detail.sources))
        }
        v1.patch("guilds/:guild/faq/proposals/:proposal") { request, context in
            let guild = try context.guild(allowing: [.staff])
            let body = try await JSONBodies.decode(EditBody.self, from: request)
            let id = try context.rowID("proposal")
            let revised = try await desk.edit(id, guild: guild, by: body.staffId.value, edits: body.edits)
            return try JSONBodies.response(ProposalView(revised))
        }
        v1.post("guilds/:guild/faq/proposals/:proposal/approve") { request, context in
            let guild = try context.guild(allowing: [.staff])
            let body = try await JSONBodies.decode(EditBody.self, from: request)
            let entry = try await desk.approve(try context.rowID("proposal"), guild: guild, by: body.staffId.value, edits: body.edits)
            return try JSONBodies.response(EntryView(entry), status: .created)
        }
        v1.post("guilds/:guild/faq/proposals/:proposal/reject") { request, context in
            let guild = try context.guild(allowing: [.staff])
            struct Body: Decodable { let staffId: RequestID; let reason: String }
            let body = try await JSONBodies.decode(Body.self, from: request)
            let rejected = try await desk.reject(try context.rowID("proposal"), guild: guild, by: body.staffId.value, reason: body.reason)
            return try JSONBodies.response(ProposalView(rejected))
        }
        v1.get("guilds/:guild/faq/search") { request, context in
            let guild = try context.guild(allowing: [.bot, .staff])
            guard let query = request.uri.queryParameters.get("q") else {
                throw APIError.badRequest("invalid_parameter", "query parameter 'q' (the question) is required")
            }
            let user = try request.integer("user_id", in: 0...Int64.max)
            let limit = try request.integer("limit", in: 1...50) ?? 5
            let hits = try await desk.search(query, guild: guild, user: user, limit: Int(limit))
            struct Hit: Encodable { let entry: EntryView; let rank: Double }
            struct Page: Encodable { let query: String; let results: [Hit] }
            return try JSONBodies.response(Page(query: query, results: hits.map { Hit(entry: EntryView($0.entry), rank: $0.rank) }))
        }
        v1.get("guilds/:guild/faq/deflection") { request, context in
            let guild = try context.guild(allowing: [.staff])
            let days = try request.integer("days", in: 1...3650)
            let top = try request.integer("top", in: 1...100) ?? 10
            return try JSONBodies.response(DeflectionView(try await deflection.stats(guild: guild, days: days.map(Int.init), top: Int(top))))
        }
    }

    /// Staff's edits, with who makes them.
    struct EditBody: Decodable {
        let staffId: RequestID
        let title: String?
        let answer: String?
        let keywords: [String]?
        var edits: FAQDesk.Edits { FAQDesk.Edits(title: title, answer: answer, keywords: keywords) }
    }
}
