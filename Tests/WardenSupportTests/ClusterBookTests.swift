import Foundation
import Testing
import WardenStore
import WardenTestSupport
@testable import WardenSupport

/// Two workers (two `ClusterBook`s, as two `warden support work` processes would hold) clustering one guild
/// on one store, taking turns: each catches up with what the other stored instead of rebuilding the guild
/// per summary, and the stored clusters are (up to close calls) the ones a single worker makes.
@Suite("Cluster book shared by workers") struct ClusterBookTests {
    private static func recorded() throws -> [FixtureSummary] { try FixtureSummary.load(from: ticketFixtures) }

    /// Opens one ticket per fixture in `guild` and clusters the recorded summaries in file order, the n-th
    /// through `books[n % books.count]`. Returns ticket → stored cluster key, in fixture order.
    private func cluster(_ db: any Database, desk: Desk, guild: Int64, books: [ClusterBook]) async throws -> [String] {
        var opened = 0
        for (n, fixture) in try Self.recorded().enumerated() {
            let ticket = try await desk.tickets.open(guild: guild, user: 42, username: nil, description: "fixture \(fixture.id)")
            let summary = SummaryRepository.NewSummary(
                ticketID: ticket, guildID: guild, summary: fixture.summary.summary,
                similarityKey: fixture.summary.similarity_key, category: nil, clusterKey: nil, embeddingJSON: nil,
                promptHash: nil, model: nil)
            let book = books[n % books.count]
            let placement = try await db.transaction { conn in try book.assign(on: conn, summary, embedding: nil, at: fixtureNow) }
            #expect(placement != nil)
            opened += 1
        }
        // What the store holds at the end, including summaries moved by later merges.
        let rows = try await db.transaction { conn in
            try conn.query("SELECT cluster_key FROM ticket_summaries WHERE guild_id = $1 ORDER BY id", [.int(guild)])
                .map { try $0.string("cluster_key") }
        }
        #expect(rows.count == opened)
        return rows
    }

    @Test(arguments: allDialects)
    func workersTakingTurnsCatchUpInsteadOfRebuilding(_ dialect: SQLDialect) async throws {
        let server = try await startSupportServer()
        defer { Task { try? await server.shutdown() } }
        try await withStore(dialect) { db in
            let desk = try Desk(db, server: server)
            let single = ClusterBook()
            let alone = try await cluster(db, desk: desk, guild: 1, books: [single])
            #expect(single.syncCounts.rebuilds == 1, "one worker builds its guild once: \(single.syncCounts)")
            #expect(single.syncCounts.catchUps == 0)

            let first = ClusterBook(), second = ClusterBook()
            let shared = try await cluster(db, desk: desk, guild: 2, books: [first, second])
            // Cluster ids name tickets, which differ between the guilds: compare the partitions. Not exactly
            // equal: a state read back from the store (as any restart or rebuild does) has no merged-away
            // clusters or stale postings, so a few close calls break the other way (ARI 0.977 here).
            let agreement = ClusteringQuality.adjustedRandIndex(assigned: shared, truth: alone)
            #expect(agreement >= 0.95, "two workers taking turns cluster as one does: ARI \(agreement)")
            let counts = [first.syncCounts, second.syncCounts]
            let summaries = try Self.recorded().count
            // Every turn after the first of each worker finds the other's summary: a catch-up of one summary,
            // or a rebuild when the other worker merged or split clusters (which moves older summaries).
            let catchUps: Int = counts.map(\.catchUps).reduce(0, +)
            let rebuilds: Int = counts.map(\.rebuilds).reduce(0, +)
            let caughtUp: Int = counts.map(\.caughtUpSummaries).reduce(0, +)
            #expect(catchUps + rebuilds == summaries)
            #expect(caughtUp == catchUps)
            #expect(rebuilds >= 2 && rebuilds <= summaries / 4, "rebuilds: \(counts)")
            print("cluster book [\(dialect)]: two workers, \(summaries) summaries: \(catchUps) catch-ups, \(rebuilds) rebuilds (2 of them first builds)")
        }
    }
}
