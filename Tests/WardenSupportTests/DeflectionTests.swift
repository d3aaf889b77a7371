import Foundation
import Testing
import WardenCore
import WardenStore
@testable import WardenSupport

/// FAQ deflection end to end through the desks, on both stores: suggestions recorded when a ticket opens,
/// the member's "this solved it", closes with and without a staff reply, reopening, and the guild's figures.
@Suite("FAQ deflection") struct DeflectionTests {
    @Test(arguments: allDialects)
    func deflectionIsMeasuredFromSuggestionToFigures(_ dialect: SQLDialect) async throws {
        let server = try await startSupportServer()
        defer { Task { try? await server.shutdown() } }
        try await withStore(dialect) { db in
            let desk = try Desk(db, server: server)
            let deflection = FAQDeflectionDesk(database: db, clock: desk.clock.function)
            let guild: Int64 = 5, staff = Snowflake(UInt64(staffID))
            // The FAQ: two entries of the guild (approved by staff) and a global one.
            func entry(_ title: String, _ answer: String, _ keywords: [String]) async throws -> Int64 {
                let proposal = try await desk.faq.draft(guild: guild, by: staffID, title: title, answer: answer, keywords: keywords)
                return try await desk.faq.approve(proposal.id, guild: guild, by: staffID).id
            }
            let twoFactor = try await entry("How do I reset my 2FA?", "Use a backup code, then re-enrol your authenticator.", ["2fa", "authenticator"])
            let premium = try await entry("Premium did not unlock after paying", "Link your Ko-fi email with /premium link.", ["premium", "kofi"])
            let refund = try await db.transaction { conn in
                try FAQRepository.insertEntry(on: conn, guild: nil, title: "Refund policy", summary: "Refunds within 14 days.",
                                              keywords: ["refund"], clusterKey: nil, proposalID: nil, at: Date())
            }

            // An old ticket, 40 days before the others: deflected by closing with no reply.
            let old = try await desk.tickets.open(guild: guild, user: 15, username: nil, description: "I want a refund")
            #expect(try await deflection.suggest(ticket: old, guild: guild).map(\.entryID) == [refund])
            try await desk.tickets.apply(.close, to: old, guild: guild)
            desk.clock.advance(40 * 86_400)

            // A: the member says the premium entry solved it; the ticket closes and its summary is queued.
            let a = try await desk.tickets.open(guild: guild, user: 10, username: "a", description: "I paid for premium with kofi but premium did not unlock")
            let suggestedA = try await deflection.suggest(ticket: a, guild: guild)
            #expect(suggestedA.first?.entryID == premium && suggestedA.first?.rank == 1 && suggestedA.first?.title == "Premium did not unlock after paying")
            #expect(try await deflection.suggest(ticket: a, guild: guild) == suggestedA, "asking again answers what was recorded")
            #expect(try await desk.count("SELECT COUNT(*) AS n FROM faq_search_logs WHERE user_id = 10") == 1, "and searches once")
            await #expect(throws: SupportError.invalidInput(field: "user_id", reason: "user 11 did not open ticket \(a); only its opener can say an answer solved it")) {
                try await deflection.solved(ticket: a, guild: guild, entry: premium, by: 11)
            }
            if !suggestedA.contains(where: { $0.entryID == twoFactor }) {
                await #expect(throws: SupportError.notSuggested(entry: twoFactor, ticket: a)) {
                    try await deflection.solved(ticket: a, guild: guild, entry: twoFactor, by: 10)
                }
            }
            let summaries = "SELECT COUNT(*) AS n FROM jobs WHERE kind = 'ticket_summary'"
            #expect(try await desk.count(summaries) == 1)
            let solvedA = try await deflection.solved(ticket: a, guild: guild, entry: premium, by: 10)
            #expect(solvedA.status == .closed && solvedA.changed)
            #expect(solvedA.suggestions.first { $0.entryID == premium }?.outcome == .solved)
            #expect(try await desk.count(summaries) == 2, "closing by the member's word queues the summary like any close")
            let again = try await deflection.solved(ticket: a, guild: guild, entry: premium, by: 10)
            #expect(!again.changed && again.status == .closed, "saying it twice changes nothing")
            await #expect(throws: SupportError.ticketFinished(a, status: "closed")) { try await deflection.suggest(ticket: a, guild: guild) }

            // B: the member writes again and the ticket is closed with nobody else writing: deflected by its first suggestion.
            let b = try await desk.tickets.open(guild: guild, user: 11, username: nil, description: "lost my authenticator, how to reset 2fa")
            #expect(try await deflection.suggest(ticket: b, guild: guild).first?.entryID == twoFactor)
            try await desk.tickets.addMessage(ticket: b, guild: guild, author: 11, content: "never mind, the backup code worked")
            try await desk.tickets.apply(.close, to: b, guild: guild)
            #expect(try await deflection.suggestions(ticket: b, guild: guild).first?.outcome == .closedWithoutReply)

            // C: staff replied before the close: not deflected.
            let c = try await desk.tickets.open(guild: guild, user: 12, username: nil, description: "premium not unlocked")
            #expect(try await deflection.suggest(ticket: c, guild: guild).first?.entryID == premium)
            try await desk.tickets.apply(.claim(by: staff), to: c, guild: guild)
            try await desk.tickets.addMessage(ticket: c, guild: guild, author: staffID, content: "Which email did you use?")
            try await desk.tickets.apply(.close, to: c, guild: guild)
            #expect(try await deflection.suggestions(ticket: c, guild: guild).allSatisfy { $0.outcome == nil })
            // The member clicking the old "this solved it" after staff answered and closed does not count.
            await #expect(throws: SupportError.ticketFinished(c, status: "closed")) {
                try await deflection.solved(ticket: c, guild: guild, entry: premium, by: 12)
            }
            #expect(try await deflection.suggestions(ticket: c, guild: guild).allSatisfy { $0.outcome == nil })

            // D: nothing in the FAQ matches: no suggestion, so it counts as opened only.
            let d = try await desk.tickets.open(guild: guild, user: 13, username: nil, description: "hello there")
            #expect(try await deflection.suggest(ticket: d, guild: guild).isEmpty)
            try await desk.tickets.apply(.close, to: d, guild: guild)

            // E: closed silently, then reopened (not helped after all): the deflection is withdrawn; staff answer
            // and close it again: not deflected.
            let e = try await desk.tickets.open(guild: guild, user: 14, username: nil, description: "refund please")
            #expect(try await deflection.suggest(ticket: e, guild: guild).first?.entryID == refund)
            try await desk.tickets.apply(.close, to: e, guild: guild)
            #expect(try await deflection.suggestions(ticket: e, guild: guild).first?.outcome == .closedWithoutReply)
            try await desk.tickets.apply(.reopen, to: e, guild: guild)
            #expect(try await deflection.suggestions(ticket: e, guild: guild).allSatisfy { $0.outcome == nil })
            try await desk.tickets.addMessage(ticket: e, guild: guild, author: staffID, content: "Refunded.")
            try await desk.tickets.apply(.close, to: e, guild: guild)
            #expect(try await deflection.suggestions(ticket: e, guild: guild).allSatisfy { $0.outcome == nil })

            // F: two suggestions; closed silently (credited to the first), then the member names the second: the
            // member's word replaces the close's guess, and the ticket stays closed.
            let f = try await desk.tickets.open(guild: guild, user: 16, username: nil, description: "premium kofi and my 2fa authenticator")
            let suggestedF = try await deflection.suggest(ticket: f, guild: guild)
            #expect(Set(suggestedF.map(\.entryID)) == [premium, twoFactor] && suggestedF.map(\.rank) == [1, 2])
            try await desk.tickets.apply(.close, to: f, guild: guild)
            let second = suggestedF[1].entryID
            let solvedF = try await deflection.solved(ticket: f, guild: guild, entry: second, by: 16)
            #expect(solvedF.status == .closed)
            #expect(solvedF.suggestions.map(\.outcome) == [nil, .solved])
            await #expect(throws: SupportError.alreadySolved(ticket: f, entry: second)) {
                try await deflection.solved(ticket: f, guild: guild, entry: suggestedF[0].entryID, by: 16)
            }

            // Another guild's ticket and figures are its own; it cannot use guild 5's tickets.
            let other = try await desk.tickets.open(guild: 6, user: 20, username: nil, description: "refund")
            #expect(try await deflection.suggest(ticket: other, guild: 6).first?.entryID == refund, "global entries are everyone's")
            await #expect(throws: SupportError.ticketNotFound(a, guild: 6)) { try await deflection.suggest(ticket: a, guild: 6) }
            await #expect(throws: SupportError.ticketNotFound(a, guild: 6)) { try await deflection.solved(ticket: a, guild: 6, entry: premium, by: 10) }

            // The figures: 7 tickets, 6 with a suggestion, 4 deflected (A and F by the member, the old one and B by closing).
            let all = try await deflection.stats(guild: guild)
            #expect(all.ticketsOpened == 7 && all.ticketsSuggested == 6 && all.solved == 2 && all.closedWithoutReply == 2)
            #expect(all.suggestionRate == 6.0 / 7.0 && all.deflectionRate == 4.0 / 6.0)
            // Per entry: premium solved A (and F if it was F's second), 2FA closed B (and solved F otherwise), refund closed the old one.
            var expected: [Int64: (suggested: Int, solved: Int, closed: Int)] = [premium: (3, 1, 0), twoFactor: (2, 0, 1), refund: (2, 0, 1)]
            expected[second]?.solved += 1
            #expect(all.topEntries.count == 3)
            for e in all.topEntries {
                let want = try #require(expected[e.entryID])
                #expect((e.suggested, e.solved, e.closedWithoutReply) == (want.suggested, want.solved, want.closed), "entry \(e.entryID)")
            }
            #expect(all.topEntries.map(\.deflected) == all.topEntries.map(\.deflected).sorted(by: >), "most deflections first")
            // The last 30 days leave out the old ticket.
            let recent = try await deflection.stats(guild: guild, days: 30)
            #expect(recent.ticketsOpened == 6 && recent.ticketsSuggested == 5 && recent.deflected == 3)
            #expect(recent.topEntries.allSatisfy { $0.entryID != refund })
            // Guild 6: one ticket, suggested, not deflected; a guild with no ticket has no rates.
            let six = try await deflection.stats(guild: 6)
            #expect(six.ticketsOpened == 1 && six.ticketsSuggested == 1 && six.deflected == 0 && six.deflectionRate == 0)
            let none = try await deflection.stats(guild: 7)
            #expect(none.ticketsOpened == 0 && none.suggestionRate == nil && none.deflectionRate == nil)
            #expect(try await deflection.allGuilds().map(\.guildID) == [5, 6])
            await #expect(throws: SupportError.invalidInput(field: "days", reason: "must be 1 to 3650, got 0")) {
                try await deflection.stats(guild: guild, days: 0)
            }

            // The transcript of F carries its suggestions and the member's choice.
            let transcript = try await desk.tickets.transcript(f, guild: guild)
            #expect(transcript.messages.count == 1 && transcript.suggestions.map(\.outcome) == [nil, .solved])
            #expect(TranscriptRenderer(transcript).markdown().contains("(the member said it solved the ticket)"))
            await #expect(throws: SupportError.ticketNotFound(f, guild: 6)) { try await desk.tickets.transcript(f, guild: 6) }
        }
    }
}
