import Foundation
import Testing
import WardenCore
import WardenLLM
import WardenLLMTestServer
import WardenStore
@testable import WardenSupport

/// Closed fixture tickets → summaries → clusters → FAQ proposals → approval → search, on both stores with the
/// test LLM server answering with the recorded fixture summaries.
@Suite("Support flow end to end") struct SupportFlowTests {
    @Test(arguments: allDialects)
    func closedTicketsBecomeSummariesClustersAndProposals(_ dialect: SQLDialect) async throws {
        let server = try await startSupportServer()
        defer { Task { try? await server.shutdown() } }
        try await withStore(dialect) { db in
            let desk = try Desk(db, server: server)
            let fixtures = try FixtureTicket.load()
            let topics = try await desk.importAndClose(fixtures)
            #expect(try await desk.count("SELECT COUNT(*) AS n FROM jobs WHERE kind = 'ticket_summary'") == fixtures.count)

            let pass = try await desk.worker.runUntilIdle()
            #expect(pass.failed == 0 && pass.retried == 0)
            #expect(try await desk.worker.outstanding() == 0)
            #expect(try await desk.count("SELECT COUNT(*) AS n FROM ticket_summaries") == fixtures.count)
            #expect(try await desk.count("SELECT COUNT(*) AS n FROM ticket_summaries WHERE cluster_key IS NULL") == 0)
            // No member was charged for summaries or drafts.
            #expect(try await desk.count("SELECT COUNT(*) AS n FROM gpt_usage") == 0)

            // Clustering quality against the fixtures' topic labels, from what was stored.
            let stored = try await db.transaction { conn in
                try conn.query("SELECT ticket_id, cluster_key FROM ticket_summaries ORDER BY ticket_id").map {
                    (try $0.int("ticket_id"), try $0.string("cluster_key"))
                }
            }
            let assigned = stored.map(\.1), truth = stored.map { topics[$0.0] ?? "?" }
            let purity = ClusteringQuality.purity(assigned: assigned, truth: truth)
            let ari = ClusteringQuality.adjustedRandIndex(assigned: assigned, truth: truth)
            print("support flow [\(dialect)]: \(fixtures.count) tickets, \(Set(assigned).count) clusters, purity \(String(format: "%.3f", purity)), ARI \(String(format: "%.3f", ari))")
            #expect(purity >= 0.9)
            #expect(ari >= 0.6)

            // Proposals: one per cluster of 3 or more, each with its source tickets, none twice.
            let guild = Int64(fixtures[0].guild_id) ?? 0
            let proposals = try await desk.faq.pending(guild: guild)
            var sizes: [String: Int] = [:]
            for key in assigned { sizes[key, default: 0] += 1 }
            let bigClusters = Set(sizes.filter { $0.value >= 3 }.keys)
            #expect(Set(proposals.map(\.clusterKey)) == bigClusters)
            #expect(proposals.count == bigClusters.count)
            let labelled = Set(topics.values.filter { label in topics.values.filter { $0 == label }.count >= 3 })
            #expect(proposals.count >= labelled.count - 2, "topics with 3+ tickets: \(labelled.count), proposals: \(proposals.count)")
            for proposal in proposals {
                #expect(proposal.sourceTicketIDs.count >= 3)
                #expect(proposal.keywords.count >= 1)
                let expires = try #require(proposal.expiresAt)
                #expect(abs(expires.timeIntervalSince(desk.clock.date) - 28 * 86_400) < 5)
                let detail = try await desk.faq.proposal(proposal.id, guild: guild)
                #expect(detail.sources.count == proposal.sourceTicketIDs.count)
            }

            // Approve one with staff's edits: it becomes a searchable FAQ entry, audited.
            let first = try #require(proposals.first)
            let entry = try await desk.faq.approve(first.id, guild: guild, by: staffID,
                                                   edits: .init(title: "Staff-edited title about \(first.keywords[0])", keywords: first.keywords + ["edited"]))
            #expect(entry.title.hasPrefix("Staff-edited title"))
            #expect(entry.guildID == guild && entry.proposalID == first.id)
            let hits = try await desk.faq.search("how do I fix \(first.keywords[0])", guild: guild, user: 42)
            #expect(hits.first?.entry.id == entry.id)
            let edited = try await desk.faq.search("edited", guild: guild, user: 42)
            #expect(edited.map(\.entry.id) == [entry.id])
            let none = try await desk.faq.search("zzzqqq", guild: guild, user: 42)
            #expect(none.isEmpty)
            // Stop words alone find nothing on either store.
            #expect(try await desk.faq.search("how do I", guild: guild, user: 42).isEmpty)
            // Another guild does not see it.
            #expect(try await desk.faq.search("edited", guild: guild + 1, user: 42).isEmpty)
            #expect(try await desk.count("SELECT COUNT(*) AS n FROM faq_search_logs WHERE guild_id = $1 AND results_count = 0",
                                         [.int(guild)]) == 2)
            #expect(try await desk.count("SELECT COUNT(*) AS n FROM faq_search_logs") == 5)

            let audit = try await db.transaction { conn in
                try AdminLogRepository.entries(on: conn, targetType: "faq_proposal", targetID: String(first.id))
            }
            #expect(audit.count == 1)
            #expect(audit.first?.action == "faq_proposal.approve" && audit.first?.actorID == staffID)
            let before = try JSONValue.parse(try #require(audit.first?.beforeJSON))
            let after = try JSONValue.parse(try #require(audit.first?.afterJSON))
            #expect(before["status"] == "pending" && after["status"] == "approved")
            #expect(before["title"]?.stringValue == first.title)
            #expect(after["title"]?.stringValue == entry.title)
            #expect(after["faq_entry_id"]?.stringValue == String(entry.id))

            // Decided proposals refuse a second decision; other guilds cannot touch them.
            await #expect(throws: SupportError.proposalNotPending(first.id, status: "approved")) {
                try await desk.faq.approve(first.id, guild: guild, by: staffID)
            }
            await #expect(throws: SupportError.proposalNotFound(first.id, guild: guild + 1)) {
                try await desk.faq.reject(first.id, guild: guild + 1, by: staffID, reason: "no")
            }
            // Reject another, with a reason (required).
            if proposals.count > 1 {
                let second = proposals[1]
                await #expect(throws: SupportError.self) { try await desk.faq.reject(second.id, guild: guild, by: staffID, reason: "  ") }
                let rejected = try await desk.faq.reject(second.id, guild: guild, by: staffID, reason: "covered by the pinned post")
                #expect(rejected.status == "rejected" && rejected.reason == "covered by the pinned post")
                #expect(try await desk.count("SELECT COUNT(*) AS n FROM admin_log WHERE action = 'faq_proposal.reject'") == 1)
            }
        }
    }

    @Test(arguments: allDialects)
    func summaryJobsSurviveAnOutageAndRetryWithBackoff(_ dialect: SQLDialect) async throws {
        let server = try await startSupportServer()
        defer { Task { try? await server.shutdown() } }
        try await withStore(dialect) { db in
            let desk = try Desk(db, server: server)
            let fixtures = Array(try FixtureTicket.load().prefix(3))
            // The provider is down for the first pass: every call fails with 500.
            server.enqueue(.serverError(500), .serverError(500), .serverError(500))
            try await desk.importAndClose(fixtures)
            let first = try await desk.worker.runOnce()
            #expect(first.leased == 3 && first.retried == 3)
            #expect(try await desk.count("SELECT COUNT(*) AS n FROM ticket_summaries") == 0)
            #expect(try await desk.count("SELECT COUNT(*) AS n FROM jobs WHERE status = 'queued' AND last_error IS NOT NULL") == 3)
            // Not due yet: the backoff holds them.
            #expect(try await desk.worker.runOnce().leased == 0)
            // An outage longer than the attempt limit (4 here) still loses nothing: it is retried until it ends.
            for _ in 0..<5 {
                desk.clock.advance(3_600)
                server.enqueue(.serverError(500), .serverError(500), .serverError(500))
                let pass = try await desk.worker.runOnce()
                #expect(pass.retried == 3 && pass.failed == 0)
            }
            #expect(try await desk.count("SELECT COUNT(*) AS n FROM jobs WHERE attempts = 6 AND status = 'queued'") == 3)
            desk.clock.advance(3_600)
            let second = try await desk.worker.runUntilIdle()
            #expect(second.failed == 0)
            #expect(try await desk.count("SELECT COUNT(*) AS n FROM ticket_summaries") == 3)
            #expect(try await desk.count("SELECT COUNT(*) AS n FROM jobs WHERE kind = 'ticket_summary' AND status = 'done'") == 3)
            #expect(try await desk.count("SELECT COUNT(*) AS n FROM gpt_usage") == 0)
        }
    }

    @Test(arguments: allDialects)
    func proposalsExpireAndAClusterIsProposedAgainOnlyAfterGrowing(_ dialect: SQLDialect) async throws {
        let server = try await startSupportServer()
        defer { Task { try? await server.shutdown() } }
        try await withStore(dialect) { db in
            let desk = try Desk(db, server: server)
            let guild: Int64 = 77
            try await db.transaction { conn in
                try SettingsRepository.set(on: conn, guild: guild, scope: SupportSettings.scope, key: "proposal_ttl_days", valueJSON: "2", valueType: nil, by: nil)
            }
            // Near-identical tickets (the test model summarises unknown tickets from their words), so the
            // clustering is certain and this test is about proposal lifecycles alone.
            let refunds = (1...6).map { n in
                FixtureTicket(id: 1_000 + n, guild_id: String(guild), user_id: String(500 + n), username: nil, topic: "refund",
                              messages: [.init(author: "user", content: "Refund for my premium subscription has not arrived after cancelling, order \(n)")])
            }
            try await desk.importAndClose(Array(refunds.prefix(3)), guild: guild)
            try await desk.worker.runUntilIdle()
            let proposals = try await desk.faq.pending(guild: guild)
            try #require(proposals.count == 1)
            // Two days later it has expired: it can no longer be approved, even before anything marks it.
            desk.clock.advance(2 * 86_400 + 60)
            await #expect(throws: SupportError.proposalNotPending(proposals[0].id, status: "expired")) {
                try await desk.faq.approve(proposals[0].id, guild: guild, by: staffID)
            }
            // The worker's pass marks it.
            _ = try await desk.worker.runOnce()
            #expect(try await desk.count("SELECT COUNT(*) AS n FROM faq_proposals WHERE status = 'expired'") == 1)
            #expect(try await desk.faq.pending(guild: guild).isEmpty)
            #expect(try await desk.count("SELECT COUNT(*) AS n FROM faq_proposals WHERE status = 'expired'") == 1)
            // One more ticket does not bring it back; three more (the threshold) do.
            try await desk.importAndClose(Array(refunds[3..<4]), guild: guild)
            try await desk.worker.runUntilIdle()
            #expect(try await desk.faq.pending(guild: guild).isEmpty)
            try await desk.importAndClose(Array(refunds[4..<6]), guild: guild)
            try await desk.worker.runUntilIdle()
            let again = try await desk.faq.pending(guild: guild)
            #expect(again.count == 1)
            #expect(again.first?.clusterKey == proposals[0].clusterKey)
            #expect((again.first?.sourceCount ?? 0) >= 6)
        }
    }
}
