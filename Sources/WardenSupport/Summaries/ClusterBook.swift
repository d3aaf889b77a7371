import Foundation
import Synchronization
import WardenCore
import WardenStore

/// The ticket clusters of each guild, kept in memory and in step with `ticket_summaries.cluster_key`.
///
/// Clustering is incremental (a summary joins the nearest cluster when it arrives), so the in-memory
/// `TicketClusterer` is the working state and the store is its record. `assign` runs inside the transaction
/// that writes the summary, under the guild's clustering lock: it first checks that its state was built up to
/// the guild's newest stored summary; if not (another process clustered since, or our last write was rolled
/// back) it rebuilds the guild from the store, in id order, with each summary's stored cluster.
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
                state = Slot.State(clusterer: try rebuild(on: conn, guild: guild), builtUpTo: latest)
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

    private func rebuild(on conn: any SQLConnection, guild: Int64) throws -> TicketClusterer {
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
