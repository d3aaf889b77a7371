import Foundation
import WardenCore
import WardenStore
import WardenSupport

/// A ticket as the API shows it.
struct TicketView: Encodable {
    struct Message: Encodable { let id: Int64; let authorId: ID; let content: String; let createdAt: Date }
    let id: Int64
    let guildId: ID
    let userId: ID
    let username: String?
    let description: String
    let status: String
    let channelId: ID?
    let claimedBy: ID?
    let escalatedTo: ID?
    let createdAt: Date
    let closedAt: Date?
    let archivedAt: Date?
    let messages: [Message]

    init(_ ticket: TicketRepository.Ticket, messages: [TicketRepository.Message]) {
        id = ticket.id; guildId = ID(ticket.guildID); userId = ID(ticket.userID); username = ticket.username
        description = ticket.description; status = ticket.status; channelId = ticket.channelID.map(ID.init)
        claimedBy = ticket.claimedBy.map(ID.init); escalatedTo = ticket.escalatedTo.map(ID.init)
        createdAt = ticket.createdAt; closedAt = ticket.closedAt; archivedAt = ticket.archivedAt
        self.messages = messages.map { Message(id: $0.id, authorId: ID($0.authorID), content: $0.content, createdAt: $0.createdAt) }
    }
}
