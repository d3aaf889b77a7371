import Foundation
import WardenStore
import WardenSupport

/// One FAQ answer suggested for a ticket, as the API shows it.
struct SuggestionView: Encodable {
    let entryId: Int64
    let rank: Int
    let score: Double
    let title: String?
    let summary: String?
    let suggestedAt: Date
    /// `solved` or `closed_without_reply` when this suggestion deflected the ticket.
    let outcome: String?
    let outcomeAt: Date?

    init(_ s: FAQSuggestionRepository.Suggestion) {
        entryId = s.entryID; rank = s.rank; score = s.score; title = s.title; summary = s.summary; suggestedAt = s.suggestedAt
        outcome = s.outcome?.rawValue; outcomeAt = s.outcomeAt
    }
}

/// A ticket's suggestions; with the ticket's status when the member said one solved it.
struct SuggestionPage: Encodable {
    let ticketId: Int64
    let status: String?
    let changed: Bool?
    let suggestions: [SuggestionView]
}

/// A guild's deflection figures as the API shows them.
struct DeflectionView: Encodable {
    struct Entry: Encodable {
        let entryId: Int64
        let title: String?
        let suggested: Int
        let solved: Int
        let closedWithoutReply: Int
        let deflected: Int
        let deflectionRate: Double?
    }
    let guildId: ID
    let since: Date?
    let ticketsOpened: Int
    let ticketsSuggested: Int
    let suggestionRate: Double?
    let deflected: Int
    let solved: Int
    let closedWithoutReply: Int
    let deflectionRate: Double?
    let topEntries: [Entry]

    init(_ s: DeflectionStats) {
        guildId = ID(s.guildID); since = s.since; ticketsOpened = s.ticketsOpened; ticketsSuggested = s.ticketsSuggested
        suggestionRate = s.suggestionRate; deflected = s.deflected; solved = s.solved; closedWithoutReply = s.closedWithoutReply
        deflectionRate = s.deflectionRate
        topEntries = s.topEntries.map {
            Entry(entryId: $0.entryID, title: $0.title, suggested: $0.suggested, solved: $0.solved, closedWithoutReply: $0.closedWithoutReply,
                  deflected: $0.deflected, deflectionRate: $0.deflectionRate)
        }
    }
}
