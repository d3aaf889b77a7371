import Foundation
import WardenCore
import WardenStore

/// Staff's side of the FAQ: review pending proposals (with their source summaries), edit and approve them into
/// `faq_entries`, or reject them with a reason; every decision is written to `admin_log` with the proposal
/// before and after. Search ranks the entries a guild sees and logs every search with its result count.
public struct FAQDesk: Sendable {
    public let database: any Database
    private let clock: @Sendable () -> Date

    public init(database: any Database, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database; self.clock = clock
    }

    /// A proposal with the summaries of its source tickets.
    public struct ProposalDetail: Sendable, Equatable {
        public var proposal: FAQRepository.Proposal
        public var sources: [SummaryRepository.Summary]
    }

    /// Staff's changes when approving; nil keeps the drafted value.
    public struct Edits: Sendable, Equatable {
        public var title: String?
        public var answer: String?
        public var keywords: [String]?
        public init(title: String? = nil, answer: String? = nil, keywords: [String]? = nil) {
            self.title = title; self.answer = answer; self.keywords = keywords
        }
    }

    /// Pending proposals of a guild, oldest first. Expires overdue ones first.
    public func pending(guild: Int64, limit: Int = 100) async throws -> [FAQRepository.Proposal] {
        let now = clock()
        return try await database.transaction { conn in
            try FAQRepository.expire(on: conn, at: now)
            return try FAQRepository.proposals(on: conn, guild: guild, status: "pending", limit: limit)
        }
    }

    /// Marks overdue pending proposals expired; returns their ids.
    @discardableResult
    public func expire() async throws -> [Int64] {
        let now = clock()
        return try await database.transaction { conn in try FAQRepository.expire(on: conn, at: now) }
    }

    /// The FAQ entries the guild sees (its own and the global ones), oldest first.
    public func entries(guild: Int64, limit: Int = 100) async throws -> [FAQRepository.Entry] {
        try await database.transaction { conn in try FAQRepository.entries(on: conn, guild: guild, limit: limit) }
    }

    /// One proposal of the guild with its source summaries.
    public func proposal(_ id: Int64, guild: Int64) async throws -> ProposalDetail {
        try await database.transaction { conn in
            guard let proposal = try FAQRepository.proposal(on: conn, id: id), proposal.guildID == guild else {
                throw SupportError.proposalNotFound(id, guild: guild)
            }
            let sources = try proposal.sourceTicketIDs.compactMap { try SummaryRepository.summary(on: conn, ticket: $0) }
            return ProposalDetail(proposal: proposal, sources: sources)
        }
    }

    /// A proposal drafted by staff by hand (no source tickets), pending like a model's draft and expiring
    /// after the guild's `proposal_ttl_days`. Returns it.
    public func draft(guild: Int64, by actor: Int64, title: String, answer: String, keywords: [String]) async throws -> FAQRepository.Proposal {
        let title = title.trimmingCharacters(in: .whitespacesAndNewlines), answer = answer.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !title.isEmpty else { throw SupportError.invalidInput(field: "title", reason: "is empty") }
        guard !answer.isEmpty else { throw SupportError.invalidInput(field: "answer", reason: "is empty") }
        let keywords = keywords.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        let now = clock()
        return try await database.transaction { conn in
            let settings = try SupportSettings.load(on: conn, guild: guild)
            let proposal = FAQRepository.NewProposal(
                guildID: guild, clusterKey: "manual-\(UUID().uuidString.lowercased())", title: title, answer: answer, keywords: keywords,
                sourceTicketIDs: [], sourceCount: 0, promptHash: nil, expiresAt: now.addingTimeInterval(Double(settings.proposalTTLDays) * 86_400))
            guard let id = try FAQRepository.insertProposal(on: conn, proposal, at: now), let stored = try FAQRepository.proposal(on: conn, id: id) else {
                throw SupportError.invalidInput(field: "title", reason: "a proposal like it is already pending")
            }
            try AdminLogRepository.record(on: conn, guild: guild, actor: actor, action: "faq_proposal.draft", targetType: "faq_proposal",
                                          targetID: String(id), beforeJSON: nil, afterJSON: Self.json(stored).encoded(), at: now)
            return stored
        }
    }

    /// Saves staff's edits to a pending proposal's draft (it stays pending). Returns the revised proposal.
    public func edit(_ id: Int64, guild: Int64, by actor: Int64, edits: Edits) async throws -> FAQRepository.Proposal {
        try Self.check(edits)
        let now = clock()
        return try await database.transaction { conn in
            let before = try Self.pendingProposal(on: conn, id, guild: guild, at: now)
            let (title, answer, keywords) = Self.apply(edits, to: before)
            guard try FAQRepository.revise(on: conn, id: id, title: title, answer: answer, keywords: keywords, at: now),
                  let after = try FAQRepository.proposal(on: conn, id: id) else {
                throw SupportError.proposalNotPending(id, status: "changed")
            }
            try AdminLogRepository.record(on: conn, guild: guild, actor: actor, action: "faq_proposal.edit", targetType: "faq_proposal",
                                          targetID: String(id), beforeJSON: Self.json(before).encoded(),
                                          afterJSON: Self.json(after).encoded(), at: now)
            return after
        }
    }

    static func check(_ edits: Edits) throws {
        if let title = edits.title, title.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw SupportError.invalidInput(field: "title", reason: "is empty")
        }
        if let answer = edits.answer, answer.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw SupportError.invalidInput(field: "answer", reason: "is empty")
        }
    }

    /// The draft with the edits applied: trimmed title and answer, keywords lower-cased without blanks.
    static func apply(_ edits: Edits, to p: FAQRepository.Proposal) -> (String, String, [String]) {
        let title = edits.title?.trimmingCharacters(in: .whitespacesAndNewlines) ?? p.title
        let answer = edits.answer?.trimmingCharacters(in: .whitespacesAndNewlines) ?? p.answer
        let keywords = (edits.keywords ?? p.keywords).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        return (title, answer, keywords)
    }

    /// Approves a pending proposal, with staff's edits, into a guild FAQ entry. Returns the entry.
    public func approve(_ id: Int64, guild: Int64, by actor: Int64, edits: Edits = Edits()) async throws -> FAQRepository.Entry {
        try Self.check(edits)
        let now = clock()
        return try await database.transaction { conn in
            let before = try Self.pendingProposal(on: conn, id, guild: guild, at: now)
            let (title, answer, keywords) = Self.apply(edits, to: before)
            guard try FAQRepository.decide(on: conn, id: id, status: "approved", title: title, answer: answer, keywords: keywords,
                                           reason: nil, by: actor, at: now) else {
                throw SupportError.proposalNotPending(id, status: "changed")
            }
            let entryID = try FAQRepository.insertEntry(on: conn, guild: guild, title: title, summary: answer, keywords: keywords,
                                                        clusterKey: before.clusterKey, proposalID: id, at: now)
            guard let after = try FAQRepository.proposal(on: conn, id: id), let entry = try FAQRepository.entry(on: conn, id: entryID) else {
                throw SupportError.proposalNotFound(id, guild: guild)
            }
            try AdminLogRepository.record(on: conn, guild: guild, actor: actor, action: "faq_proposal.approve", targetType: "faq_proposal",
                                          targetID: String(id), beforeJSON: Self.json(before).encoded(),
                                          afterJSON: Self.json(after, entry: entryID).encoded(), at: now)
            return entry
        }
    }

    /// Rejects a pending proposal with a reason.
    public func reject(_ id: Int64, guild: Int64, by actor: Int64, reason: String) async throws -> FAQRepository.Proposal {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw SupportError.invalidInput(field: "reason", reason: "a rejection needs a reason") }
        let now = clock()
        return try await database.transaction { conn in
            let before = try Self.pendingProposal(on: conn, id, guild: guild, at: now)
            guard try FAQRepository.decide(on: conn, id: id, status: "rejected", title: before.title, answer: before.answer,
                                           keywords: before.keywords, reason: reason, by: actor, at: now),
                  let after = try FAQRepository.proposal(on: conn, id: id) else {
                throw SupportError.proposalNotPending(id, status: "changed")
            }
            try AdminLogRepository.record(on: conn, guild: guild, actor: actor, action: "faq_proposal.reject", targetType: "faq_proposal",
                                          targetID: String(id), beforeJSON: Self.json(before).encoded(),
                                          afterJSON: Self.json(after).encoded(), at: now)
            return after
        }
    }

    /// Searches the FAQ a guild sees (its entries and global ones), best first, and logs the search.
    /// `log: false` leaves the search out of `faq_search_logs` (staff trying the search in the console, whose
    /// queries would otherwise count among the members' and skew the FAQ's gaps).
    public func search(_ query: String, guild: Int64, user: Int64?, limit: Int = 5, log: Bool = true) async throws -> [FAQRepository.Hit] {
        let text = query.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw SupportError.invalidInput(field: "query", reason: "is empty") }
        guard text.count <= 500 else { throw SupportError.invalidInput(field: "query", reason: "is longer than 500 characters") }
        let terms = Self.terms(text)
        let now = clock()
        return try await database.transaction { conn in
            let hits = try FAQRepository.search(on: conn, guild: guild, terms: terms, limit: max(1, min(limit, 50)))
            if log { try FAQRepository.logSearch(on: conn, guild: guild, user: user, query: text, resultCount: hits.count, at: now) }
            return hits
        }
    }

    /// The query's words without stop words, at most 16. A query of stop words alone ("how do I") finds
    /// nothing on either store (PostgreSQL's `english` configuration drops them; FTS5 would match everything).
    static func terms(_ query: String) -> [String] {
        var seen = Set<String>()
        return TextVectorizer.words(query).filter { !TextVectorizer.stopWords.contains($0) && seen.insert($0).inserted }
            .prefix(16).map { $0 }
    }

    private static func pendingProposal(on conn: any SQLConnection, _ id: Int64, guild: Int64, at now: Date) throws -> FAQRepository.Proposal {
        guard let proposal = try FAQRepository.proposal(on: conn, id: id, forUpdate: true), proposal.guildID == guild else {
            throw SupportError.proposalNotFound(id, guild: guild)
        }
        if proposal.status == "pending", let expires = proposal.expiresAt, expires <= now {
            throw SupportError.proposalNotPending(id, status: "expired")
        }
        guard proposal.status == "pending" else { throw SupportError.proposalNotPending(id, status: proposal.status) }
        return proposal
    }

    static func json(_ p: FAQRepository.Proposal, entry: Int64? = nil) -> JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(String(p.id)), "status": .string(p.status), "title": .string(p.title), "answer": .string(p.answer),
            "keywords": .array(p.keywords.map { .string($0) }), "cluster_key": .string(p.clusterKey),
            "source_ticket_ids": .array(p.sourceTicketIDs.map { .string(String($0)) }),
        ]
        if let reason = p.reason { object["reason"] = .string(reason) }
        if let entry { object["faq_entry_id"] = .string(String(entry)) }
        return .object(object)
    }
}
