import Foundation
import WardenStore

/// A ticket's whole conversation, as exported: the ticket, its messages in order, and the FAQ answers that
/// were suggested for it. Rendered by ``TranscriptRenderer``; read from the store by `TicketDesk.transcript`.
public struct TicketTranscript: Sendable, Equatable {
    public var ticket: TicketRepository.Ticket
    public var messages: [TicketRepository.Message]
    public var suggestions: [FAQSuggestionRepository.Suggestion]

    public init(ticket: TicketRepository.Ticket, messages: [TicketRepository.Message], suggestions: [FAQSuggestionRepository.Suggestion] = []) {
        self.ticket = ticket; self.messages = messages; self.suggestions = suggestions
    }

    /// Who wrote a message: the member who opened the ticket, or anyone else (staff, or the bot). The same
    /// split decides whether a closed ticket had a staff reply (`FAQDeflectionDesk`).
    public enum AuthorRole: String, Sendable, Codable {
        case member, staff
    }

    public func role(of message: TicketRepository.Message) -> AuthorRole {
        message.authorID == ticket.userID ? .member : .staff
    }
}

/// The forms a transcript is exported in.
public enum TranscriptFormat: String, Sendable, CaseIterable {
    case json, markdown, html

    /// The HTTP Content-Type of the form.
    public var contentType: String {
        switch self {
        case .json: "application/json"
        case .markdown: "text/markdown; charset=utf-8"
        case .html: "text/html; charset=utf-8"
        }
    }

    /// The usual file name extension.
    public var fileExtension: String {
        switch self {
        case .json: "json"
        case .markdown: "md"
        case .html: "html"
        }
    }

    /// "json, markdown, html": for error messages.
    public static var allowed: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
