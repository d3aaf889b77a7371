import Foundation

/// AI summaries of closed tickets (`ticket_summaries`), one per ticket, with the cluster each is in.
public enum SummaryRepository {
    /// One summary row.
    public struct Summary: Sendable, Equatable {
        public var id: Int64
        public var ticketID: Int64
        public var guildID: Int64
        public var summary: String
        public var similarityKey: String?
        public var category: String?
        /// The cluster the summary is in now (nil until clustered).
        public var clusterKey: String?
        /// The embedding as a JSON array, when one was computed.
        public var embeddingJSON: String?
        public var createdAt: Date
    }

    /// What a summary job writes.
    public struct NewSummary: Sendable, Equatable {
        public var ticketID: Int64
        public var guildID: Int64
        public var summary: String
        public var similarityKey: String?
        public var category: String?
        public var clusterKey: String?
        public var embeddingJSON: String?
        public var promptHash: String?
        public var model: String?

        public init(ticketID: Int64, guildID: Int64, summary: String, similarityKey: String?, category: String?,
                    clusterKey: String?, embeddingJSON: String?, promptHash: String?, model: String?) {
            self.ticketID = ticketID; self.guildID = guildID; self.summary = summary; self.similarityKey = similarityKey
            self.category = category; self.clusterKey = clusterKey; self.embeddingJSON = embeddingJSON
            self.promptHash = promptHash; self.model = model
        }
    }

    /// Inserts the ticket's summary unless it has one already.
    /// - Returns: the new row's id, or nil when the ticket already had a summary (nothing written).
    public static func insert(on conn: any SQLConnection, _ s: NewSummary, at now: Date) throws -> Int64? {
        let embedding = conn.dialect == .sqlite ? "json($7)" : "$7"
        return try conn.queryFirst("""
            INSERT INTO ticket_summaries (ticket_id, guild_id, summary, similarity_key, category, cluster_key, embedding,
                                          prompt_hash, model, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, \(embedding), $8, $9, $10)
            ON CONFLICT (ticket_id) DO NOTHING RETURNING id
            """, [.int(s.ticketID), .int(s.guildID), .text(s.summary), .text(s.similarityKey), .text(s.category),
                  .text(s.clusterKey), .json(s.embeddingJSON), .text(s.promptHash), .text(s.model), .timestamp(now)])
            .map { try $0.int("id") }
    }

    /// The ticket's summary, or nil.
    public static func summary(on conn: any SQLConnection, ticket: Int64) throws -> Summary? {
        try conn.queryFirst("SELECT \(columns) FROM ticket_summaries WHERE ticket_id = $1", [.int(ticket)]).map(summary)
    }

    /// The guild's summaries with id greater than `after`, in id order (the order they were clustered in).
    public static func summaries(on conn: any SQLConnection, guild: Int64, after: Int64, limit: Int) throws -> [Summary] {
        try conn.query("""
            SELECT \(columns) FROM ticket_summaries WHERE guild_id = $1 AND id > $2 ORDER BY id LIMIT $3
            """, [.int(guild), .int(after), .int(Int64(max(0, limit)))]).map(summary)
    }

    /// The members of one cluster, newest first, at most `limit`.
    public static func cluster(on conn: any SQLConnection, guild: Int64, clusterKey: String, limit: Int) throws -> [Summary] {
        try conn.query("""
            SELECT \(columns) FROM ticket_summaries WHERE guild_id = $1 AND cluster_key = $2 ORDER BY id DESC LIMIT $3
            """, [.int(guild), .text(clusterKey), .int(Int64(max(0, limit)))]).map(summary)
    }

    /// How many summaries a cluster has.
    public static func clusterSize(on conn: any SQLConnection, guild: Int64, clusterKey: String) throws -> Int {
        Int(try conn.queryFirst("SELECT COUNT(*) AS n FROM ticket_summaries WHERE guild_id = $1 AND cluster_key = $2",
                                [.int(guild), .text(clusterKey)])?.int("n") ?? 0)
    }

    /// Moves these tickets' summaries into `clusterKey` (after a small cluster was merged into another).
    /// - Returns: how many rows changed.
    @discardableResult
    public static func reassign(on conn: any SQLConnection, guild: Int64, tickets: [Int64], to clusterKey: String) throws -> Int {
        var changed = 0
        // Chunks keep the statement's parameter count well under both drivers' limits.
        for start in stride(from: 0, to: tickets.count, by: 500) {
            let chunk = tickets[start..<min(start + 500, tickets.count)]
            var binds: [SQLValue] = [.int(guild), .text(clusterKey)]
            let list = chunk.map { id -> String in binds.append(.int(id)); return "$\(binds.count)" }.joined(separator: ", ")
            changed += try conn.execute("""
                UPDATE ticket_summaries SET cluster_key = $2
                WHERE guild_id = $1 AND ticket_id IN (\(list)) AND (cluster_key IS NULL OR cluster_key <> $2)
                """, binds)
        }
        return changed
    }

    // MARK: Clustering state

    /// The advisory lock namespace that serialises clustering within a guild (PostgreSQL).
    static let clusterLockNamespace = 4

    /// Serialises clustering in one guild until the transaction ends (PostgreSQL; SQLite's writer lock does
    /// it already), so two processes never assign summaries from different views of the clusters.
    public static func lockClusters(on conn: any SQLConnection, guild: Int64) throws {
        guard conn.dialect == .postgres else { return }
        _ = try conn.query("SELECT pg_advisory_xact_lock(\(clusterLockNamespace), $1)",
                           [.int(Int64(AutomodRepository.lockKey(guild, 0)))])
    }

    /// The id and ticket of the guild's newest summary ((0, 0) for none): a process whose in-memory clusters
    /// were built up to another one knows that someone else clustered since (or its own write was rolled back;
    /// SQLite may hand the rolled-back id out again, hence the ticket too).
    public static func latestSummary(on conn: any SQLConnection, guild: Int64) throws -> SummaryMark {
        guard let row = try conn.queryFirst("""
            SELECT id, ticket_id FROM ticket_summaries WHERE guild_id = $1 ORDER BY id DESC LIMIT 1
            """, [.int(guild)]) else { return SummaryMark(id: 0, ticketID: 0) }
        return SummaryMark(id: try row.int("id"), ticketID: try row.int("ticket_id"))
    }

    /// Which summary a guild's clusters were built up to.
    public struct SummaryMark: Sendable, Equatable {
        public var id: Int64
        public var ticketID: Int64
        public init(id: Int64, ticketID: Int64) { self.id = id; self.ticketID = ticketID }
    }

    private static let columns = "id, ticket_id, guild_id, summary, similarity_key, category, cluster_key, embedding, created_at"

    private static func summary(_ row: SQLRow) throws -> Summary {
        Summary(id: try row.int("id"), ticketID: try row.int("ticket_id"), guildID: try row.optionalInt("guild_id") ?? 0,
                summary: try row.string("summary"), similarityKey: try row.optionalString("similarity_key"),
                category: try row.optionalString("category"), clusterKey: try row.optionalString("cluster_key"),
                embeddingJSON: try row.optionalString("embedding"),
                createdAt: try row.optionalTimestamp("created_at") ?? Date(timeIntervalSince1970: 0))
    }
}
