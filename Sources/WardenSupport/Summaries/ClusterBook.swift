import Foundation
import Synchronization
import WardenCore
import WardenStore

/// The ticket clusters of each guild, kept in memory and in step with `ticket_summaries.cluster_key`.
///
/// Clustering is incremental (a summary joins the nearest cluster when it arrives), so the in-memory
/// `TicketClusterer` is the working state and the store is its record. `assign` runs inside the transaction
/// that writes the summary, under the guild's clustering lock: it first checks that its state was built up to
/// the guild's newest stored summary. If another worker clustered since, it catches up with just the
/// summaries stored after its mark, each into its stored cluster, and checks that every cluster they went to
/// has as many stored members as it now has in memory; that holds unless the other worker moved older
/// summaries (a small cluster merged in, a pair split), which always end up in the new summary's cluster.
/// Only then, or when our own last write was rolled back, does it rebuild the guild from the store (in id
/// order, each summary into its stored cluster), so workers sharing a busy guild do not rebuild it per summary.
public final class ClusterBook: Sendable {
    private final class Slot: Sendable {
        struct State: Sendable {
            var clusterer: TicketClusterer
            /// The newest summary the clusterer reflects; nil until built (or after a failed write).
            var builtUpTo: SummaryRepository.SummaryMark?
        }
        let state: Mutex<State>
        init(configuration: TicketClusterer.Configuration) {
            state = Mutex(State(clusterer: TicketClusterer(configuration: configuration)))
        }
    }

    /// Where a new summary went.
    public struct Placement: Sendable, Equatable {
        public var summaryID: Int64
        public var clusterKey: String
        /// Members of the cluster now, including this one.
        public var size: Int
        public var isNewCluster: Bool
        /// Summaries of other tickets that moved into this cluster (a small cluster merged into it).
        public var moved: Int
    }

    public let configuration: TicketClusterer.Configuration
    private let slots = Mutex<[Int64: Slot]>([:])
    private let counts = Mutex(Counts())

    /// How a guild's state was brought up to date before an assignment.
    public struct Counts: Sendable, Equatable {
        /// Whole guilds read back from the store (the first assignment of a guild in this process included).
        public var rebuilds = 0
        /// Catch-ups with only the summaries other workers stored since.
        public var catchUps = 0
        /// Summaries read back during catch-ups.
        public var caughtUpSummaries = 0
    }

    /// Rebuilds and catch-ups so far, for tests and metrics.
    public var syncCounts: Counts { counts.withLock { $0 } }

    public init(configuration: TicketClusterer.Configuration = TicketClusterer.Configuration()) {
        self.configuration = configuration
    }

    /// Clusters and stores one summary, inside the caller's transaction. Returns nil, writing nothing, when the
    /// ticket already has a summary.
    public func assign(on conn: any SQLConnection, _ summary: SummaryRepository.NewSummary, embedding: [Double]?,
                       at now: Date) throws -> Placement? {
        let guild = summary.guildID
        try SummaryRepository.lockClusters(on: conn, guild: guild)
        if try SummaryRepository.summary(on: conn, ticket: summary.ticketID) != nil { return nil }
        let slot = slots.withLock { slots in
            if let slot = slots[guild] { return slot }
            let slot = Slot(configuration: configuration)
            slots[guild] = slot
            return slot
        }
        return try slot.state.withLock { state in
            let latest = try SummaryRepository.latestSummary(on: conn, guild: guild)
            if state.builtUpTo != latest {
                // In place: a failed catch-up leaves a state that the rebuild replaces.
                if let mark = state.builtUpTo, mark.id < latest.id,
                   try catchUp(&state.clusterer, on: conn, guild: guild, after: mark, to: latest)
                {
                    state.builtUpTo = latest
                } else {
                    state = Slot.State(clusterer: try rebuild(on: conn, guild: guild), builtUpTo: latest)
                }
            }
            // Invalid until the row is written: if anything below throws, the next call rebuilds.
            state.builtUpTo = nil
            let assignment = state.clusterer.add(id: summary.ticketID, text: summary.summary,
                                                 similarityKey: summary.similarityKey, embedding: embedding)
            var row = summary
            row.clusterKey = assignment.clusterID
            guard let id = try SummaryRepository.insert(on: conn, row, at: now) else {
                throw StoreError.statement("INSERT INTO ticket_summaries", message: "ticket \(summary.ticketID) got a summary meanwhile", sqlState: "40001")
            }
            // A small cluster merged into this one: its stored members move too.
            var moved = 0
            let stored = try SummaryRepository.clusterSize(on: conn, guild: guild, clusterKey: assignment.clusterID)
            if stored != assignment.size {
                moved = try SummaryRepository.reassign(on: conn, guild: guild, tickets: state.clusterer.members(of: assignment.clusterID),
                                                       to: assignment.clusterID)
            }
            state.builtUpTo = SummaryRepository.SummaryMark(id: id, ticketID: summary.ticketID)
            return Placement(summaryID: id, clusterKey: assignment.clusterID, size: assignment.size,
                             isNewCluster: assignment.isNew, moved: moved)
        }
    }

    /// Forgets a guild's state (the next assign rebuilds it).
    public func invalidate(guild: Int64) {
        _ = slots.withLock { $0.removeValue(forKey: guild) }
    }

    /// Puts the summaries stored after `mark` into their stored clusters. False when the result would not
    /// match the store (a summary without a cluster, or a cluster whose stored size differs: the other worker
    /// moved older summaries); the caller then rebuilds.
    private func catchUp(_ clusterer: inout TicketClusterer, on conn: any SQLConnection, guild: Int64,
                         after mark: SummaryRepository.SummaryMark, to latest: SummaryRepository.SummaryMark)
        throws -> Bool
    {
        var touched = Set<String>()
        var after = mark.id
        var read = 0
        var last = mark
        while true {
            let page = try SummaryRepository.summaries(on: conn, guild: guild, after: after, limit: 2_000)
            for s in page {
                guard let key = s.clusterKey else { return false }
                clusterer.restore(id: s.ticketID, text: s.summary, similarityKey: s.similarityKey,
                                  embedding: s.embeddingJSON.flatMap(Self.vector), clusterID: key)
                touched.insert(key)
                last = SummaryRepository.SummaryMark(id: s.id, ticketID: s.ticketID)
            }
            read += page.count
            guard let tail = page.last, page.count == 2_000 else { break }
            after = tail.id
        }
        guard last == latest else { return false }
        for key in touched {
            let stored = try SummaryRepository.clusterSize(on: conn, guild: guild, clusterKey: key)
            if stored != clusterer.size(of: key) { return false }
        }
        counts.withLock {
            $0.catchUps += 1
            $0.caughtUpSummaries += read
        }
        return true
    }

    private func rebuild(on conn: any SQLConnection, guild: Int64) throws -> TicketClusterer {
        counts.withLock { $0.rebuilds += 1 }
        var clusterer = TicketClusterer(configuration: configuration)
        var after: Int64 = 0
        while true {
            let page = try SummaryRepository.summaries(on: conn, guild: guild, after: after, limit: 2_000)
            for s in page {
                let embedding = s.embeddingJSON.flatMap(Self.vector)
                if let key = s.clusterKey {
                    clusterer.restore(id: s.ticketID, text: s.summary, similarityKey: s.similarityKey, embedding: embedding, clusterID: key)
                } else {
                    _ = clusterer.add(id: s.ticketID, text: s.summary, similarityKey: s.similarityKey, embedding: embedding)
                }
            }
            guard let last = page.last, page.count == 2_000 else { break }
            after = last.id
        }
        return clusterer
    }

    static func vector(_ json: String) -> [Double]? {
        try? JSONDecoder().decode([Double].self, from: Data(json.utf8))
    }
}
