import WardenCore

/// Where a support ticket stands. Raw values are what `support_tickets.status` stores.
public enum TicketStatus: String, Sendable, Codable, CaseIterable, CodingKeyRepresentable {
    case open
    case claimed
    case waitingForUser = "waiting_for_user"
    case escalated
    case closed
    case archived

    /// The status for a stored `support_tickets.status` value; nil when the text is not one (the caller
    /// decides whether that is corrupt data or a newer version's status, this type does not guess).
    public init?(stored: String) {
        self.init(rawValue: stored)
    }

    /// "an open ticket", "a ticket waiting for the user": the noun phrase used in error messages.
    public var phrase: String {
        switch self {
        case .open: "an open ticket"
        case .claimed: "a claimed ticket"
        case .waitingForUser: "a ticket waiting for the user"
        case .escalated: "an escalated ticket"
        case .closed: "a closed ticket"
        case .archived: "an archived ticket"
        }
    }

    /// The state machine: applies `event` to a ticket in `status`, or explains why it cannot apply.
    /// Pure: the caller stores the returned status together with the event's side data (claimed_by,
    /// escalated_to, archived_by) and stores nothing when this throws, so an invalid transition changes nothing.
    public static func transition(from status: TicketStatus, _ event: TicketEvent) throws(TicketTransitionError) -> TicketStatus {
        guard let next = TicketEvent.table[event.kind]?[status] else {
            throw TicketTransitionError(from: status, event: event.kind)
        }
        return next
    }

    /// The events that apply to a ticket in this status (for buttons and command help).
    public var allowedEvents: [TicketEvent.Kind] {
        TicketEvent.Kind.allCases.filter { TicketEvent.table[$0]?[self] != nil }
    }

    /// Closed and archived tickets are finished: they count towards cycle time, and no longer need staff.
    public var isFinished: Bool { self == .closed || self == .archived }
}

/// Something that happens to a ticket. Events carrying an id carry who or what it happened to, so the
/// caller can fill the matching column from the same value it validated.
public enum TicketEvent: Sendable, Equatable, Hashable, Codable {
    /// A staff member takes the ticket (`claimed_by`).
    case claim(by: Snowflake)
    /// Staff answered and the ball is in the user's court.
    case waitForUser
    /// The user answered a ticket that was waiting for them: it goes back to the staff member who has it.
    case userReplied
    /// Handed to a role (`escalated_to`, a role id).
    case escalate(to: Snowflake)
    case close
    /// A closed ticket comes back (the user was not helped after all). Archived tickets cannot come back:
    /// their channel is gone and their summary may already feed an FAQ.
    case reopen
    /// The ticket is filed away (`archived_by`).
    case archive(by: Snowflake)

    /// The event without its data: what the transition table and error messages are keyed by.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case claim
        case waitForUser = "wait_for_user"
        case userReplied = "user_replied"
        case escalate
        case close
        case reopen
        case archive

        /// "cannot \(verb) a closed ticket": phrased so the sentence reads naturally for every status.
        func cannot(_ status: TicketStatus) -> String {
            switch self {
            case .claim: "cannot claim \(status.phrase)"
            case .waitForUser: "cannot wait for the user on \(status.phrase)"
            case .userReplied: "cannot record a user reply on \(status.phrase)"
            case .escalate: "cannot escalate \(status.phrase)"
            case .close: "cannot close \(status.phrase)"
            case .reopen: "cannot reopen \(status.phrase)"
            case .archive: "cannot archive \(status.phrase)"
            }
        }
    }

    public var kind: Kind {
        switch self {
        case .claim: .claim
        case .waitForUser: .waitForUser
        case .userReplied: .userReplied
        case .escalate: .escalate
        case .close: .close
        case .reopen: .reopen
        case .archive: .archive
        }
    }

    /// Every valid transition: event → (from → to). Anything not listed is refused.
    /// - A claimed ticket cannot be claimed again: taking over someone's ticket should be deliberate
    ///   (escalate it, then claim it), not a race between two staff members pressing the same button.
    /// - Escalation keeps the conversation going: the escalated role claims it, waits for the user, or closes.
    /// - Only a closed ticket can be archived, and archiving is final.
    static let table: [Kind: [TicketStatus: TicketStatus]] = [
        .claim:       [.open: .claimed, .escalated: .claimed],
        .waitForUser: [.claimed: .waitingForUser, .escalated: .waitingForUser],
        .userReplied: [.waitingForUser: .claimed],
        .escalate:    [.open: .escalated, .claimed: .escalated, .waitingForUser: .escalated],
        .close:       [.open: .closed, .claimed: .closed, .waitingForUser: .closed, .escalated: .closed],
        .reopen:      [.closed: .open],
        .archive:     [.closed: .archived],
    ]
}

/// An event that does not apply to the ticket's current status. Nothing was changed.
public struct TicketTransitionError: Error, Sendable, Equatable, CustomStringConvertible {
    public var from: TicketStatus
    public var event: TicketEvent.Kind

    public init(from: TicketStatus, event: TicketEvent.Kind) {
        self.from = from; self.event = event
    }

    /// e.g. "cannot close an archived ticket", followed by what is possible instead.
    public var description: String {
        let allowed = from.allowedEvents.map(\.rawValue)
        let hint = allowed.isEmpty ? "nothing can be done to it any more" : "allowed: " + allowed.joined(separator: ", ")
        return "\(event.cannot(from)) (\(hint))"
    }
}
