import Foundation
import Testing
import WardenCore
import WardenStore
@testable import WardenSupport

@Suite("Tickets") struct TicketDeskTests {
    @Test(arguments: allDialects)
    func ticketsMoveThroughTheStateMachineAndInvalidMovesChangeNothing(_ dialect: SQLDialect) async throws {
        let server = try await startSupportServer()
        defer { Task { try? await server.shutdown() } }
        try await withStore(dialect) { db in
            let desk = try Desk(db, server: server)
            let member: Int64 = 1_200_000_000_000_000_009
            let id = try await desk.tickets.open(guild: 5, user: member, username: "m", description: "My refund never arrived")
            try await desk.tickets.addMessage(ticket: id, guild: 5, author: staffID, content: "Which order?")
            #expect(try await desk.tickets.apply(.claim(by: Snowflake(UInt64(staffID))), to: id, guild: 5) == .claimed)
            // Claiming a claimed ticket is refused and changes nothing.
            await #expect(throws: SupportError.invalidTransition(ticket: id, TicketTransitionError(from: .claimed, event: .claim))) {
                try await desk.tickets.apply(.claim(by: Snowflake(2)), to: id, guild: 5)
            }
            let claimed = try await desk.tickets.ticket(id, guild: 5)
            #expect(claimed.ticket.status == "claimed" && claimed.ticket.claimedBy == staffID)
            #expect(claimed.messages.map(\.content) == ["My refund never arrived", "Which order?"])

            #expect(try await desk.tickets.apply(.waitForUser, to: id, guild: 5) == .waitingForUser)
            #expect(try await desk.tickets.apply(.escalate(to: Snowflake(99)), to: id, guild: 5) == .escalated)
            #expect(try await desk.tickets.apply(.close, to: id, guild: 5) == .closed)
            #expect(try await desk.count("SELECT COUNT(*) AS n FROM jobs WHERE kind = 'ticket_summary'") == 1)
            // Reopened and closed again: still one summary job.
            #expect(try await desk.tickets.apply(.reopen, to: id, guild: 5) == .open)
            #expect(try await desk.tickets.ticket(id, guild: 5).ticket.closedAt == nil)
            #expect(try await desk.tickets.apply(.close, to: id, guild: 5) == .closed)
            #expect(try await desk.count("SELECT COUNT(*) AS n FROM jobs WHERE kind = 'ticket_summary'") == 1)
            #expect(try await desk.tickets.apply(.archive(by: Snowflake(UInt64(staffID))), to: id, guild: 5) == .archived)
            await #expect(throws: SupportError.self) { try await desk.tickets.addMessage(ticket: id, guild: 5, author: member, content: "hello?") }
            await #expect(throws: SupportError.invalidTransition(ticket: id, TicketTransitionError(from: .archived, event: .reopen))) {
                try await desk.tickets.apply(.reopen, to: id, guild: 5)
            }
            // Another guild's staff cannot see or touch it.
            await #expect(throws: SupportError.ticketNotFound(id, guild: 6)) { try await desk.tickets.ticket(id, guild: 6) }
            await #expect(throws: SupportError.ticketNotFound(id, guild: 6)) { try await desk.tickets.apply(.reopen, to: id, guild: 6) }
            await #expect(throws: SupportError.ticketNotFound(id, guild: 6)) {
                try await desk.tickets.addMessage(ticket: id, guild: 6, author: 1, content: "hi")
            }
            await #expect(throws: SupportError.ticketNotFound(999_999, guild: 5)) { try await desk.tickets.apply(.close, to: 999_999, guild: 5) }
            await #expect(throws: SupportError.self) { try await desk.tickets.open(guild: 5, user: member, username: nil, description: "   ") }
        }
    }

    @Test(arguments: allDialects)
    func metricsSnapshotsCountStatusesAndCycleTime(_ dialect: SQLDialect) async throws {
        let server = try await startSupportServer()
        defer { Task { try? await server.shutdown() } }
        try await withStore(dialect) { db in
            let desk = try Desk(db, server: server)
            let a = try await desk.tickets.open(guild: 5, user: 10, username: nil, description: "old problem")
            desk.clock.advance(3_600)
            try await desk.tickets.apply(.close, to: a, guild: 5)
            desk.clock.advance(40 * 86_400)
            let b = try await desk.tickets.open(guild: 5, user: 11, username: nil, description: "new problem")
            desk.clock.advance(600)
            try await desk.tickets.apply(.close, to: b, guild: 5)
            _ = try await desk.tickets.open(guild: 5, user: 12, username: nil, description: "still open")
            _ = try await desk.tickets.open(guild: 6, user: 12, username: nil, description: "other guild")
            let snapshots = try await desk.tickets.snapshotMetrics(guild: 5, by: staffID)
            let byScope = Dictionary(uniqueKeysWithValues: snapshots.map { ($0.scope, $0) })
            #expect(byScope[.all]?.total == 3)
            #expect(byScope[.all]?.counts[.closed] == 2 && byScope[.all]?.counts[.open] == 1)
            #expect(byScope[.all]?.averageCycleTimeSeconds == 2_100)
            #expect(byScope[.sevenDays]?.total == 2)
            #expect(byScope[.sevenDays]?.averageCycleTimeSeconds == 600)
            #expect(try await desk.count("SELECT COUNT(*) AS n FROM ticket_metrics WHERE guild_id = 5") == 3)
        }
    }
}
