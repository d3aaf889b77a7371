import Foundation
import Hummingbird
import WardenStore
import WardenSupport

/// FAQ proposals for staff (list, show with source summaries, edit, approve with edits, reject with a
/// reason; every decision audited) and FAQ search for the bot and staff.
struct FAQRoutes {
    let desk: FAQDesk

    func register(on v1: RouterGroup<WardenRequestContext>) {
        v1.get("guilds/:guild/faq/proposals") { request, context in
            let guild = try context.guild(allowing: [.staff])
            let limit = try request.integer("limit", in: 1...500) ?? 100
            struct Page: Encodable { let proposals: [ProposalView] }
            return try JSONBodies.response(Page(proposals: try await desk.pending(guild: guild, limit: Int(limit)).map { ProposalView($0) }))
        }
        v1.get("guilds/:guild/faq/proposals/:proposal") { _, context in
            let guild = try context.guild(allowing: [.staff])
            let detail = try await desk.proposal(try context.id("proposal"), guild: guild)
            return try JSONBodies.response(ProposalView(detail.proposal, sources: detail.sources))
        }
        v1.patch("guilds/:guild/faq/proposals/:proposal") { request, context in
            let guild = try context.guild(allowing: [.staff])
            let body = try await JSONBodies.decode(EditBody.self, from: request)
            let id = try context.id("proposal")
            let revised = try await desk.edit(id, guild: guild, by: body.staffId.value, edits: body.edits)
            return try JSONBodies.response(ProposalView(revised))
        }
        v1.post("guilds/:guild/faq/proposals/:proposal/approve") { request, context in
            let guild = try context.guild(allowing: [.staff])
            let body = try await JSONBodies.decode(EditBody.self, from: request)
            let entry = try await desk.approve(try context.id("proposal"), guild: guild, by: body.staffId.value, edits: body.edits)
            return try JSONBodies.response(EntryView(entry), status: .created)
        }
        v1.post("guilds/:guild/faq/proposals/:proposal/reject") { request, context in
            let guild = try context.guild(allowing: [.staff])
            struct Body: Decodable { let staffId: RequestID; let reason: String }
            let body = try await JSONBodies.decode(Body.self, from: request)
            let rejected = try await desk.reject(try context.id("proposal"), guild: guild, by: body.staffId.value, reason: body.reason)
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

struct ProposalView: Encodable {
    struct Source: Encodable { let ticketId: Int64; let summary: String; let similarityKey: String?; let category: String? }
    let id: Int64
    let guildId: ID
    let status: String
    let title: String
    let answer: String
    let keywords: [String]
    let clusterKey: String
    let sourceTicketIds: [Int64]
    let reason: String?
    let createdAt: Date
    let expiresAt: Date?
    let decidedBy: ID?
    let sources: [Source]?

    init(_ p: FAQRepository.Proposal, sources: [SummaryRepository.Summary]? = nil) {
        id = p.id; guildId = ID(p.guildID); status = p.status; title = p.title; answer = p.answer; keywords = p.keywords
        clusterKey = p.clusterKey; sourceTicketIds = p.sourceTicketIDs; reason = p.reason; createdAt = p.createdAt
        expiresAt = p.expiresAt; decidedBy = p.decidedBy.map(ID.init)
        self.sources = sources?.map { Source(ticketId: $0.ticketID, summary: $0.summary, similarityKey: $0.similarityKey, category: $0.category) }
    }
}

struct EntryView: Encodable {
    let id: Int64
    let guildId: ID?
    let title: String
    let summary: String
    let keywords: [String]
    let proposalId: Int64?

    init(_ e: FAQRepository.Entry) {
        id = e.id; guildId = e.guildID.map(ID.init); title = e.title; summary = e.summary; keywords = e.keywords; proposalId = e.proposalID
    }
}
