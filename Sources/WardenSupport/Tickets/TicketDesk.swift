import Foundation
import WardenCore
import WardenStore

/// Support tickets: open, talk, move through the state machine, close. Closing enqueues the durable summary
/// job in the same transaction, so a closed ticket is never left without one (see `SummaryJob`).
public struct TicketDesk: Sendable {
    public let database: any Database
    private let clock: @Sendable () -> Date

    public init(database: any Database, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database; self.clock = clock
    }

    /// Opens a ticket. The description is the member's first words and is kept as its first message too.
    public func open(guild: Int64, user: Int64, username: String?, description: String, channel: Int64? = nil) async throws -> Int64 {
        let text = description.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw SupportError.invalidInput(field: "description", reason: "is empty") }
        let now = clock()
        return try await database.transaction { conn in
            let id = try TicketRepository.create(on: conn, guild: guild, user: user, username: username, description: text,
                                                 channel: channel, at: now)
            try TicketRepository.addMessage(on: conn, ticket: id, author: user, content: text, at: now)
            return id
        }
    }

    /// Adds a message to a ticket of the guild that is not finished.
    @discardableResult
    public func addMessage(ticket: Int64, guild: Int64, author: Int64, content: String) async throws -> Int64 {
        guard !content.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw SupportError.invalidInput(field: "content", reason: "is empty")
        }
        let now = clock()
        return try await database.transaction { conn in
            // Locked: a close running at the same time must see this message (it decides whether staff replied,
            // hence whether the ticket was deflected), or this message must see the ticket closed.
            guard let found = try TicketRepository.ticket(on: conn, id: ticket, forUpdate: true), found.guildID == guild else {
                throw SupportError.ticketNotFound(ticket, guild: guild)
            }
            if let status = TicketStatus(stored: found.status), status.isFinished {
                throw SupportError.ticketFinished(ticket, status: status.rawValue)
            }
            return try TicketRepository.addMessage(on: conn, ticket: ticket, author: author, content: content, at: now)
        }
    }

    /// Applies `event` to the ticket and returns its new status. An event that does not apply changes
    /// nothing and throws `SupportError.invalidTransition` naming what is allowed. Closing enqueues the
    /// ticket's summary job (once per ticket: closing again after a reopen keeps the first summary) and counts
    /// an FAQ deflection when a suggestion was made and nobody but the opener wrote (`FAQDeflectionDesk`).
    @discardableResult
    public func apply(_ event: TicketEvent, to ticket: Int64, guild: Int64) async throws -> TicketStatus {
        let now = clock()
        return try await database.transaction { conn in
            guard let found = try TicketRepository.ticket(on: conn, id: ticket, forUpdate: true), found.guildID == guild else {
                throw SupportError.ticketNotFound(ticket, guild: guild)
            }
            return try Self.apply(event, to: found, on: conn, at: now)
        }
    }

    /// `apply(_:to:guild:)` inside the caller's transaction, on a ticket it read (and locked) there.
    static func apply(_ event: TicketEvent, to found: TicketRepository.Ticket, on conn: any SQLConnection, at now: Date) throws -> TicketStatus {
        let ticket = found.id
        let from = TicketStatus(stored: found.status) ?? .open
        let to: TicketStatus
        do throws(TicketTransitionError) { to = try TicketStatus.transition(from: from, event) } catch {
            throw SupportError.invalidTransition(ticket: ticket, error)
        }
        var change = TicketRepository.Change(status: to.rawValue)
        switch event {
        case .claim(let by): change.claimedBy = Int64(bitPattern: by.rawValue); change.claimedAt = now
        case .escalate(let to): change.escalatedTo = Int64(bitPattern: to.rawValue)
        case .close: change.closedAt = now
        case .reopen: change.clearClosedAt = true
        case .archive(let by): change.archivedAt = now; change.archivedBy = Int64(bitPattern: by.rawValue)
        case .waitForUser, .userReplied: break
        }
        guard try TicketRepository.update(on: conn, id: ticket, from: found.status, to: change, at: now) else {
            throw SupportError.ticketChanged(ticket: ticket)
        }
        if to == .closed {
            try SummaryJob.enqueue(on: conn, ticket: ticket, guild: found.guildID, at: now)
            try FAQDeflectionDesk.recordClose(of: found, on: conn, at: now)
        }
        // A reopened ticket was not deflected after all; closing it again decides again.
        if event == .reopen { try FAQSuggestionRepository.clearOutcome(on: conn, ticket: ticket) }
        return to
    }

    /// A ticket of the guild and its messages.
    public func ticket(_ id: Int64, guild: Int64) async throws -> (ticket: TicketRepository.Ticket, messages: [TicketRepository.Message]) {
        try await database.transaction { conn in
            guard let found = try TicketRepository.ticket(on: conn, id: id), found.guildID == guild else {
                throw SupportError.ticketNotFound(id, guild: guild)
            }
            return (found, try TicketRepository.messages(on: conn, ticket: id))
        }
    }

    /// A ticket of the guild with its messages and FAQ suggestions, for export (``TranscriptRenderer``).
    public func transcript(_ id: Int64, guild: Int64) async throws -> TicketTranscript {
        try await database.transaction { conn in
            guard let found = try TicketRepository.ticket(on: conn, id: id), found.guildID == guild else {
                throw SupportError.ticketNotFound(id, guild: guild)
            }
            return TicketTranscript(ticket: found, messages: try TicketRepository.messages(on: conn, ticket: id),
                                    suggestions: try FAQSuggestionRepository.suggestions(on: conn, ticket: id))
        }
    }

    /// Computes the guild's 7d, 30d and all-time snapshots (counts per status, average cycle time) and stores
    /// them in `ticket_metrics`.
    public func snapshotMetrics(guild: Int64, by: Int64?) async throws -> [TicketMetricsSnapshot] {
        let now = clock()
        return try await database.transaction { conn in
            let inputs = try TicketRepository.lifecycle(on: conn, guild: guild, since: nil).map {
                TicketMetricsInput(status: TicketStatus(stored: $0.status) ?? .open, createdAt: $0.createdAt, closedAt: $0.closedAt)
            }
            let snapshots = TicketMetrics.snapshots(of: inputs, now: now)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            encoder.dateEncodingStrategy = .iso8601
            for snapshot in snapshots {
                let full = String(decoding: try encoder.encode(snapshot), as: UTF8.self)
                let counts = String(decoding: try encoder.encode(snapshot.counts), as: UTF8.self)
                try TicketRepository.insertMetrics(on: conn, guild: guild, scope: snapshot.scope.rawValue, snapshotJSON: full,
                                                   countsJSON: counts, averageCycleTime: snapshot.averageCycleTimeSeconds.map(Int64.init),
                                                   by: by, at: now)
            }
            return snapshots
        }
    }
}
