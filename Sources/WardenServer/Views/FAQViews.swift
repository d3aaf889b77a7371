import Foundation
import WardenStore
import WardenSupport

/// An FAQ proposal as the API shows it, with its source tickets' summaries when asked for.
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

/// A published FAQ entry as the API shows it.
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
