import WardenCore

/// Why a support-desk operation was refused. Each case names what was wrong and where; nothing was changed.
public enum SupportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No such ticket in that guild (a ticket of another guild is reported the same way).
    case ticketNotFound(Int64, guild: Int64)
    case invalidTransition(ticket: Int64, TicketTransitionError)
    /// The ticket is closed or archived: nothing more can be added to it (messages, FAQ suggestions).
    case ticketFinished(Int64, status: String)
    /// Someone else changed the ticket between our read and our write.
    case ticketChanged(ticket: Int64)
    case proposalNotFound(Int64, guild: Int64)
    /// The FAQ entry was not among the ticket's suggestions, so it cannot have solved it.
    case notSuggested(entry: Int64, ticket: Int64)
    /// The member already said another suggested entry solved the ticket.
    case alreadySolved(ticket: Int64, entry: Int64)
    case proposalNotPending(Int64, status: String)
    case verificationNotFound(Int64, guild: Int64)
    case verificationNotReviewable(Int64, status: String)
    case invalidImage(ImageProbeError)
    case invalidInput(field: String, reason: String)
    case invalidSetting(guild: Int64, key: String, reason: String)
    /// The prompt folder for a task is missing or broken.
    case prompt(String)

    public var description: String {
        switch self {
        case .ticketNotFound(let id, let guild): "ticket \(id) does not exist in guild \(guild)"
        case .invalidTransition(let id, let error): "ticket \(id): \(error)"
        case .ticketFinished(let id, let status): "ticket \(id) is \(status); it takes no more messages or FAQ suggestions"
        case .ticketChanged(let id): "ticket \(id) was changed by someone else meanwhile; read it again"
        case .proposalNotFound(let id, let guild): "FAQ proposal \(id) does not exist in guild \(guild)"
        case .notSuggested(let entry, let ticket):
            "FAQ entry \(entry) was not suggested for ticket \(ticket); only a suggested entry can be said to have solved it"
        case .alreadySolved(let ticket, let entry): "ticket \(ticket) was already solved by FAQ entry \(entry)"
        case .proposalNotPending(let id, let status): "FAQ proposal \(id) is \(status), not pending"
        case .verificationNotFound(let id, let guild): "verification \(id) does not exist in guild \(guild)"
        case .verificationNotReviewable(let id, let status):
            "verification \(id) is \(status); only manual_review or error can be resolved"
        case .invalidImage(let error): "screenshot rejected: \(error)"
        case .invalidInput(let field, let reason): "\(field): \(reason)"
        case .invalidSetting(let guild, let key, let reason): "guild \(guild): setting support.\(key) is invalid: \(reason)"
        case .prompt(let message): message
        }
    }
}
