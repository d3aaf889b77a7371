import Foundation
import WardenCore
import WardenLLM
import WardenPipeline
import WardenStore

/// Drafts an FAQ proposal for a cluster of similar tickets through `prompts/faq_proposal` (title, answer,
/// keywords) into `faq_proposals`, pending staff approval, with its source tickets. Made for no member, so
/// not counted in `gpt_usage`.
public struct ProposalJob: JobHandler {
    public static let kind = "faq_proposal"
    public var kind: String { Self.kind }
    /// Summaries shown to the model: the cluster's most recent ones.
    public static let sampleSize = 12

    public let database: any Database
    public let client: LLMClient
    public let template: PromptTemplate
    private let clock: @Sendable () -> Date

    public init(database: any Database, client: LLMClient, template: PromptTemplate, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database; self.client = client; self.template = template; self.clock = clock
    }

    /// Why a cluster gets no new proposal now, or nil when it should get one.
    public enum Cover: Sendable, Equatable {
        case belowThreshold(size: Int, threshold: Int)
        case faqEntry
        case pendingProposal(Int64)
        case approvedProposal(Int64)
        /// Rejected or expired: proposed again once the cluster has grown by the threshold since.
        case decidedRecently(Int64, status: String, sizeThen: Int)
    }

    /// Whether the cluster is covered (see `Cover`), read on `conn`. A pending proposal past its expiry is
    /// expired here first, so it no longer blocks a new draft.
    public static func cover(on conn: any SQLConnection, guild: Int64, clusterKey: String, size: Int, threshold: Int,
                             at now: Date) throws -> Cover? {
        if size < threshold { return .belowThreshold(size: size, threshold: threshold) }
        if try FAQRepository.hasEntry(on: conn, guild: guild, clusterKey: clusterKey) { return .faqEntry }
        try FAQRepository.expire(on: conn, at: now)
        guard let latest = try FAQRepository.latestProposal(on: conn, guild: guild, clusterKey: clusterKey) else { return nil }
        switch latest.status {
        case "pending": return .pendingProposal(latest.id)
        case "approved": return .approvedProposal(latest.id)
        default:
            return size < latest.sourceCount + threshold
                ? .decidedRecently(latest.id, status: latest.status, sizeThen: latest.sourceCount) : nil
        }
    }

    /// Enqueues a draft for the cluster when it is due (inside the transaction that grew the cluster).
    public static func enqueueIfDue(on conn: any SQLConnection, guild: Int64, clusterKey: String, size: Int, at now: Date) throws {
        // A broken setting elsewhere in the scope must not hold up summaries: the threshold alone is read.
        let threshold = (try? SupportSettings.load(on: conn, guild: guild))?.faqThreshold ?? SupportSettings().faqThreshold
        guard try cover(on: conn, guild: guild, clusterKey: clusterKey, size: size, threshold: threshold, at: now) == nil else { return }
        try JobRepository.enqueue(
            on: conn, kind: kind, payloadJSON: JobPayload.encode(["guild_id": String(guild), "cluster_key": clusterKey]),
            dedupeKey: "faq_proposal:\(guild):\(clusterKey):\(size)", runAfter: now, at: now)
    }

    public func run(_ job: JobRepository.Job) async throws {
        let fields = try JobPayload.decode(job)
        let guild = try JobPayload.id(fields, "guild_id", job: job)
        guard let clusterKey = fields["cluster_key"], !clusterKey.isEmpty else {
            throw JobFailure("job \(job.id): payload field cluster_key is missing", retryable: false)
        }
        let start = clock()
        let sample = try await database.transaction { conn -> Sample in
            let settings = try SupportSettings.load(on: conn, guild: guild)
            let size = try SummaryRepository.clusterSize(on: conn, guild: guild, clusterKey: clusterKey)
            if try Self.cover(on: conn, guild: guild, clusterKey: clusterKey, size: size, threshold: settings.faqThreshold, at: start) != nil {
                return Sample(summaries: [], size: size, ttlDays: settings.proposalTTLDays, covered: true)
            }
            return Sample(summaries: try SummaryRepository.cluster(on: conn, guild: guild, clusterKey: clusterKey, limit: Self.sampleSize),
                          size: size, ttlDays: settings.proposalTTLDays, covered: false)
        }
        if sample.covered {
            try await database.transaction { conn in _ = try JobRepository.complete(on: conn, id: job.id, at: start) }
            return
        }
        let draft = try await draft(sample.summaries)
        let now = clock()
        let proposal = FAQRepository.NewProposal(
            guildID: guild, clusterKey: clusterKey, title: draft.title, answer: draft.answer, keywords: draft.keywords,
            sourceTicketIDs: sample.summaries.map(\.ticketID).sorted(), sourceCount: sample.size, promptHash: template.hash,
            expiresAt: now.addingTimeInterval(TimeInterval(sample.ttlDays) * 86_400))
        try await database.transaction { conn in
            guard try JobRepository.complete(on: conn, id: job.id, at: now) else { return }
            let settings = try SupportSettings.load(on: conn, guild: guild)
            let size = try SummaryRepository.clusterSize(on: conn, guild: guild, clusterKey: clusterKey)
            guard try Self.cover(on: conn, guild: guild, clusterKey: clusterKey, size: size, threshold: settings.faqThreshold, at: now) == nil else { return }
            _ = try FAQRepository.insertProposal(on: conn, proposal, at: now)
        }
    }

    /// Expires overdue proposals on every worker pass, so a long-running worker keeps the queue honest.
    public func housekeeping() async throws {
        let now = clock()
        try await database.transaction { conn in _ = try FAQRepository.expire(on: conn, at: now) }
    }

    /// A checked draft.
    public struct Draft: Sendable, Equatable {
        public var title: String
        public var answer: String
        public var keywords: [String]
    }

    /// Asks the model for a draft from these summaries.
    public func draft(_ summaries: [SummaryRepository.Summary]) async throws(JobFailure) -> Draft {
        let data: JSONValue = .object(["tickets": .array(summaries.map { s in
            .object(["summary": .string(s.summary), "topic": .string(s.similarityKey ?? ""), "category": .string(s.category ?? "other")])
        })])
        let request = ChatRequest(task: .summary, messages: template.render(data: data), output: template.output, temperature: 0)
        let result: ChatResult
        do { result = try await client.chat(request) } catch {
            throw JobFailure("FAQ draft: \(error.summary)", outage: error.isOutage)
        }
        guard let json = result.json, let draft = Self.parse(json) else {
            throw JobFailure("FAQ draft: the answer failed our checks")
        }
        return draft
    }

    static func parse(_ json: JSONValue) -> Draft? {
        guard let title = json["title"]?.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines), !title.isEmpty,
              let answer = json["answer"]?.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines), !answer.isEmpty,
              let list = json["keywords"]?.arrayValue else { return nil }
        var seen = Set<String>()
        let keywords = list.compactMap { $0.stringValue?.trimmingCharacters(in: .whitespaces).lowercased() }
            .filter { !$0.isEmpty && seen.insert($0).inserted }
        guard !keywords.isEmpty else { return nil }
        return Draft(title: Redactor.redact(title), answer: Redactor.redact(answer), keywords: keywords)
    }

    private struct Sample: Sendable {
        var summaries: [SummaryRepository.Summary]
        var size: Int
        var ttlDays: Int
        var covered: Bool
    }
}
