import Foundation

/// FAQ proposals drafted from ticket clusters (`faq_proposals`), the FAQ itself (`faq_entries`, per guild or
/// global when guild_id is NULL), full-text search over it and the search log (`faq_search_logs`).
public enum FAQRepository {
    /// One proposal row.
    public struct Proposal: Sendable, Equatable {
        public var id: Int64
        public var guildID: Int64
        public var clusterKey: String
        public var title: String
        public var answer: String
        public var keywords: [String]
        /// `pending`, `approved`, `rejected` or `expired`.
        public var status: String
        public var sourceTicketIDs: [Int64]
        /// Cluster size when drafted.
        public var sourceCount: Int
        /// Why it was rejected.
        public var reason: String?
        public var createdAt: Date
        public var decidedAt: Date?
        public var decidedBy: Int64?
        public var expiresAt: Date?
    }

    /// What a drafting job writes.
    public struct NewProposal: Sendable, Equatable {
        public var guildID: Int64
        public var clusterKey: String
        public var title: String
        public var answer: String
        public var keywords: [String]
        public var sourceTicketIDs: [Int64]
        public var sourceCount: Int
        public var promptHash: String?
        public var expiresAt: Date

        public init(guildID: Int64, clusterKey: String, title: String, answer: String, keywords: [String],
                    sourceTicketIDs: [Int64], sourceCount: Int, promptHash: String?, expiresAt: Date) {
            self.guildID = guildID; self.clusterKey = clusterKey; self.title = title; self.answer = answer
            self.keywords = keywords; self.sourceTicketIDs = sourceTicketIDs; self.sourceCount = sourceCount
            self.promptHash = promptHash; self.expiresAt = expiresAt
        }
    }

    /// One FAQ entry.
    public struct Entry: Sendable, Equatable {
        public var id: Int64
        /// nil: a global entry, shown in every guild.
        public var guildID: Int64?
        public var title: String
        public var summary: String
        public var keywords: [String]
        public var clusterKey: String?
        public var proposalID: Int64?
        public var createdAt: Date?
    }

    /// A search hit: the entry and its rank (higher is better; comparable within one search only).
    public struct Hit: Sendable, Equatable {
        public var entry: Entry
        public var rank: Double
    }

    // MARK: Proposals

    /// Inserts a pending proposal.
    /// - Returns: its id, or nil when the cluster already has a pending proposal (nothing written).
    public static func insertProposal(on conn: any SQLConnection, _ p: NewProposal, at now: Date) throws -> Int64? {
        try conn.queryFirst("""
            INSERT INTO faq_proposals (guild_id, cluster_key, title, answer, keywords, status, source_ticket_ids,
                                       source_count, prompt_hash, created_at, expires_at)
            VALUES ($1, $2, $3, $4, \(json(conn, "$5")), 'pending', \(json(conn, "$6")), $7, $8, $9, $10)
            ON CONFLICT DO NOTHING RETURNING id
            """, [.int(p.guildID), .text(p.clusterKey), .text(p.title), .text(p.answer), .json(encode(p.keywords)),
                  .json(encode(p.sourceTicketIDs)), .int(Int64(p.sourceCount)), .text(p.promptHash), .timestamp(now),
                  .timestamp(p.expiresAt)])
            .map { try $0.int("id") }
    }

    /// One proposal, or nil. `forUpdate` locks the row on PostgreSQL until the transaction ends.
    public static func proposal(on conn: any SQLConnection, id: Int64, forUpdate: Bool = false) throws -> Proposal? {
        let lock = forUpdate && conn.dialect == .postgres ? " FOR UPDATE" : ""
        return try conn.queryFirst("SELECT \(proposalColumns) FROM faq_proposals WHERE id = $1" + lock, [.int(id)]).map(proposal)
    }

    /// A guild's proposals of one status, oldest first.
    public static func proposals(on conn: any SQLConnection, guild: Int64, status: String, limit: Int) throws -> [Proposal] {
        try conn.query("""
            SELECT \(proposalColumns) FROM faq_proposals WHERE guild_id = $1 AND status = $2 ORDER BY id LIMIT $3
            """, [.int(guild), .text(status), .int(Int64(max(0, limit)))]).map(proposal)
    }

    /// The cluster's most recent proposal in any status, or nil.
    public static func latestProposal(on conn: any SQLConnection, guild: Int64, clusterKey: String) throws -> Proposal? {
        try conn.queryFirst("""
            SELECT \(proposalColumns) FROM faq_proposals WHERE guild_id = $1 AND cluster_key = $2 ORDER BY id DESC LIMIT 1
            """, [.int(guild), .text(clusterKey)]).map(proposal)
    }

    /// Moves a pending proposal that has not expired by `now` to `status` (`approved` or `rejected`), with the
    /// staff's edits.
    /// - Returns: false, changing nothing, when it is no longer pending or is overdue.
    public static func decide(on conn: any SQLConnection, id: Int64, status: String, title: String, answer: String,
                              keywords: [String], reason: String?, by: Int64?, at now: Date) throws -> Bool {
        try conn.execute("""
            UPDATE faq_proposals SET status = $2, title = $3, answer = $4, keywords = \(json(conn, "$5")), reason = $6,
                decided_by = $7, decided_at = $8
            WHERE id = $1 AND status = 'pending' AND (expires_at IS NULL OR expires_at > $8)
            """, [.int(id), .text(status), .text(title), .text(answer), .json(encode(keywords)), .text(reason), .int(by),
                  .timestamp(now)]) == 1
    }

    /// Saves staff's edits to a pending proposal's draft without deciding it.
    /// - Returns: false, changing nothing, when it is no longer pending or is overdue.
    public static func revise(on conn: any SQLConnection, id: Int64, title: String, answer: String, keywords: [String], at now: Date) throws -> Bool {
        try conn.execute("""
            UPDATE faq_proposals SET title = $2, answer = $3, keywords = \(json(conn, "$4"))
            WHERE id = $1 AND status = 'pending' AND (expires_at IS NULL OR expires_at > $5)
            """, [.int(id), .text(title), .text(answer), .json(encode(keywords)), .timestamp(now)]) == 1
    }

    /// Marks pending proposals whose `expires_at` has passed as `expired`.
    /// - Returns: the ids expired now.
    @discardableResult
    public static func expire(on conn: any SQLConnection, at now: Date) throws -> [Int64] {
        try conn.query("""
            UPDATE faq_proposals SET status = 'expired', decided_at = $1
            WHERE status = 'pending' AND expires_at IS NOT NULL AND expires_at < $1 RETURNING id
            """, [.timestamp(now)]).map { try $0.int("id") }.sorted()
    }

    // MARK: Entries

    /// Inserts an FAQ entry and returns its id.
    public static func insertEntry(on conn: any SQLConnection, guild: Int64?, title: String, summary: String, keywords: [String],
                                   clusterKey: String?, proposalID: Int64?, at now: Date) throws -> Int64 {
        guard let row = try conn.queryFirst("""
            INSERT INTO faq_entries (guild_id, title, summary, keywords, cluster_key, proposal_id, created_at, updated_at)
            VALUES ($1, $2, $3, \(json(conn, "$4")), $5, $6, $7, $7) RETURNING id
            """, [.int(guild), .text(title), .text(summary), .json(encode(keywords)), .text(clusterKey), .int(proposalID),
                  .timestamp(now)])
        else { throw StoreError.statement("INSERT INTO faq_entries", message: "no id returned", sqlState: nil) }
        return try row.int("id")
    }

    /// One entry, or nil.
    public static func entry(on conn: any SQLConnection, id: Int64) throws -> Entry? {
        try conn.queryFirst("SELECT \(entryColumns) FROM faq_entries WHERE id = $1", [.int(id)]).map(entry)
    }

    /// Whether the guild has an FAQ entry made from this cluster.
    public static func hasEntry(on conn: any SQLConnection, guild: Int64, clusterKey: String) throws -> Bool {
        try conn.queryFirst("SELECT 1 AS found FROM faq_entries WHERE guild_id = $1 AND cluster_key = $2 LIMIT 1",
                            [.int(guild), .text(clusterKey)]) != nil
    }

    /// The entries a guild sees (its own and the global ones), by id.
    public static func entries(on conn: any SQLConnection, guild: Int64, limit: Int) throws -> [Entry] {
        try conn.query("""
            SELECT \(entryColumns) FROM faq_entries WHERE guild_id = $1 OR guild_id IS NULL ORDER BY id LIMIT $2
            """, [.int(guild), .int(Int64(max(0, limit)))]).map(entry)
    }

    /// Full-text search over the entries a guild sees, best first. Matches any of `terms` (words of letters
    /// and digits only; anything else is dropped here, so no query syntax of either engine can come from a
    /// member). Title and keywords weigh more than the summary. SQLite: FTS5 with the porter stemmer, bm25;
    /// PostgreSQL: the `english` text search configuration, ts_rank_cd.
    public static func search(on conn: any SQLConnection, guild: Int64, terms: [String], limit: Int) throws -> [Hit] {
        let words = terms.map { String($0.lowercased().unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) }) }
            .filter { !$0.isEmpty }
        guard !words.isEmpty, limit > 0 else { return [] }
        let rows: [SQLRow]
        switch conn.dialect {
        case .sqlite:
            let match = words.map { "\"\($0)\"" }.joined(separator: " OR ")
            rows = try conn.query("""
                SELECT \(entryColumns.split(separator: ",").map { "e." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")),
                       -bm25(faq_entries_fts, 10.0, 3.0, 6.0) AS rank
                FROM faq_entries_fts JOIN faq_entries e ON e.id = faq_entries_fts.rowid
                WHERE faq_entries_fts MATCH $1 AND (e.guild_id = $2 OR e.guild_id IS NULL)
                ORDER BY rank DESC, e.id LIMIT $3
                """, [.text(match), .int(guild), .int(Int64(limit))])
        case .postgres:
            rows = try conn.query("""
                SELECT \(entryColumns), ts_rank_cd(search, q) AS rank
                FROM faq_entries, to_tsquery('english', $1) AS q
                WHERE search @@ q AND (guild_id = $2 OR guild_id IS NULL)
                ORDER BY rank DESC, id LIMIT $3
                """, [.text(words.joined(separator: " | ")), .int(guild), .int(Int64(limit))])
        }
        return try rows.map { Hit(entry: try entry($0), rank: try $0.double("rank")) }
    }

    /// Records one search and how many entries it found.
    public static func logSearch(on conn: any SQLConnection, guild: Int64?, user: Int64?, query: String, resultCount: Int, at now: Date) throws {
        try conn.execute("""
            INSERT INTO faq_search_logs (guild_id, user_id, query, results_count, searched_at) VALUES ($1, $2, $3, $4, $5)
            """, [.int(guild), .int(user), .text(query), .int(Int64(resultCount)), .timestamp(now)])
    }

    /// The most recent searches of a guild, newest first: (query, result count).
    public static func searches(on conn: any SQLConnection, guild: Int64, limit: Int) throws -> [(query: String, resultCount: Int)] {
        try conn.query("SELECT query, results_count FROM faq_search_logs WHERE guild_id = $1 ORDER BY id DESC LIMIT $2",
                       [.int(guild), .int(Int64(max(0, limit)))]).map {
            (try $0.optionalString("query") ?? "", Int(try $0.optionalInt("results_count") ?? 0))
        }
    }

    // MARK: Rows

    private static let proposalColumns = """
        id, guild_id, cluster_key, title, answer, keywords, status, source_ticket_ids, source_count, reason, created_at,
        decided_at, decided_by, expires_at
        """
    private static let entryColumns = "id, guild_id, title, summary, keywords, cluster_key, proposal_id, created_at"

    private static func proposal(_ row: SQLRow) throws -> Proposal {
        Proposal(id: try row.int("id"), guildID: try row.int("guild_id"), clusterKey: try row.string("cluster_key"),
                 title: try row.string("title"), answer: try row.string("answer"),
                 keywords: try decode([String].self, row.optionalString("keywords"), column: "keywords"),
                 status: try row.string("status"),
                 sourceTicketIDs: try decode([Int64].self, row.optionalString("source_ticket_ids"), column: "source_ticket_ids"),
                 sourceCount: Int(try row.int("source_count")), reason: try row.optionalString("reason"),
                 createdAt: try row.timestamp("created_at"), decidedAt: try row.optionalTimestamp("decided_at"),
                 decidedBy: try row.optionalInt("decided_by"), expiresAt: try row.optionalTimestamp("expires_at"))
    }

    private static func entry(_ row: SQLRow) throws -> Entry {
        Entry(id: try row.int("id"), guildID: try row.optionalInt("guild_id"), title: try row.optionalString("title") ?? "",
              summary: try row.optionalString("summary") ?? "",
              keywords: try decode([String].self, row.optionalString("keywords"), column: "keywords"),
              clusterKey: try row.optionalString("cluster_key"), proposalID: try row.optionalInt("proposal_id"),
              createdAt: try row.optionalTimestamp("created_at"))
    }

    static func encode<T: Encodable>(_ value: T) -> String {
        (try? String(decoding: JSONEncoder().encode(value), as: UTF8.self)) ?? "[]"
    }

    private static func decode<T: Decodable & ExpressibleByArrayLiteral>(_ type: T.Type, _ text: String?, column: String) throws -> T {
        guard let text, !text.isEmpty else { return [] }
        do { return try JSONDecoder().decode(T.self, from: Data(text.utf8)) } catch {
            throw StoreError.column(column, expected: "JSON array", got: String(text.prefix(40)))
        }
    }

    private static func json(_ conn: any SQLConnection, _ placeholder: String) -> String {
        conn.dialect == .sqlite ? "json(\(placeholder))" : placeholder
    }
}
