import Foundation
import WardenCore
import WardenLLM
import WardenPipeline
import WardenStore

/// A closed ticket's summary: asks the model through `prompts/ticket_summary` for a summary, a similarity
/// key and a category; stores it; puts it into its guild's clusters; and when the cluster reaches the
/// guild's threshold and nothing covers it yet, enqueues an FAQ proposal draft (`ProposalJob`).
///
/// Calls are made for no member and are not counted in `gpt_usage`. Ticket text is untrusted: it reaches the
/// model only as escaped JSON data between the prompt's boundary lines.
public struct SummaryJob: JobHandler {
    public static let kind = "ticket_summary"
    public var kind: String { Self.kind }

    public let database: any Database
    public let client: LLMClient
    public let template: PromptTemplate
    public let clusters: ClusterBook
    /// Embed summaries for clustering (when an embeddings model is configured); otherwise local TF-IDF.
    public let useEmbeddings: Bool
    private let clock: @Sendable () -> Date

    public init(database: any Database, client: LLMClient, template: PromptTemplate, clusters: ClusterBook,
                useEmbeddings: Bool = false, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database; self.client = client; self.template = template; self.clusters = clusters
        self.useEmbeddings = useEmbeddings; self.clock = clock
    }

    /// Enqueues the summary of a ticket that was just closed, inside the closing transaction. Once per ticket.
    public static func enqueue(on conn: any SQLConnection, ticket: Int64, guild: Int64, at now: Date) throws {
        try JobRepository.enqueue(on: conn, kind: kind, payloadJSON: JobPayload.encode(["ticket_id": String(ticket), "guild_id": String(guild)]),
                                  dedupeKey: "ticket_summary:\(ticket)", runAfter: now, at: now)
    }

    /// What the model answered, checked.
    public struct Answer: Sendable, Equatable {
        public var summary: String
        public var similarityKey: String
        public var category: String
    }

    public func run(_ job: JobRepository.Job) async throws {
        let fields = try JobPayload.decode(job)
        let ticketID = try JobPayload.id(fields, "ticket_id", job: job)
        let loaded = try await database.transaction { conn -> Loaded? in
            guard let ticket = try TicketRepository.ticket(on: conn, id: ticketID) else { return nil }
            if try SummaryRepository.summary(on: conn, ticket: ticketID) != nil { return Loaded(ticket: ticket, messages: [], done: true) }
            return Loaded(ticket: ticket, messages: try TicketRepository.messages(on: conn, ticket: ticketID), done: false)
        }
        guard let loaded, !loaded.done else {
            // Deleted ticket, or summarised already (by a worker that died after writing): nothing left to do.
            try await complete(job)
            return
        }
        let answer = try await summarize(loaded.ticket, messages: loaded.messages)
        // Clustering falls back to text similarity for this summary when the embedding call fails.
        let embedding: [Double]? = useEmbeddings ? (try? await client.embeddings([answer.summary]))?.first : nil
        let now = clock()
        let new = SummaryRepository.NewSummary(
            ticketID: ticketID, guildID: loaded.ticket.guildID, summary: answer.summary, similarityKey: answer.similarityKey,
            category: answer.category, clusterKey: nil, embeddingJSON: embedding.map(Self.json), promptHash: template.hash,
            model: client.configuration.model(for: .summary))
        let clusters = self.clusters
        try await database.transaction { conn in
            guard try JobRepository.complete(on: conn, id: job.id, at: now) else { return }
            guard let placement = try clusters.assign(on: conn, new, embedding: embedding, at: now) else { return }
            try ProposalJob.enqueueIfDue(on: conn, guild: new.guildID, clusterKey: placement.clusterKey, size: placement.size, at: now)
        }
    }

    /// Asks the model. Throws `JobFailure` (retryable) when it could not answer usefully.
    public func summarize(_ ticket: TicketRepository.Ticket, messages: [TicketRepository.Message]) async throws(JobFailure) -> Answer {
        let request = ChatRequest(task: .summary, messages: template.render(data: Self.data(ticket, messages)),
                                  output: template.output, temperature: 0)
        let result: ChatResult
        do { result = try await client.chat(request) } catch {
            throw JobFailure("summary of ticket \(ticket.id): \(error.summary)", outage: error.isOutage)
        }
        guard let json = result.json, let answer = Self.parse(json) else {
            throw JobFailure("summary of ticket \(ticket.id): the answer failed our checks")
        }
        return answer
    }

    /// The checked answer, or nil. The similarity key is normalised (lowercase words joined by hyphens).
    static func parse(_ json: JSONValue) -> Answer? {
        guard let summary = json["summary"]?.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines), !summary.isEmpty,
              let key = TicketClusterer.normalizeKey(json["similarity_key"]?.stringValue),
              let category = json["category"]?.stringValue else { return nil }
        return Answer(summary: Redactor.redact(summary), similarityKey: key, category: category)
    }

    /// What the model sees: the description and the conversation, each message marked member or staff.
    /// No ids or names: the summary must not repeat them, and the model does not need them.
    static func data(_ ticket: TicketRepository.Ticket, _ messages: [TicketRepository.Message]) -> JSONValue {
        let conversation: [JSONValue] = messages.suffix(60).map { message in
            .object(["from": .string(message.authorID == ticket.userID ? "member" : "staff"),
                     "text": .string(String(message.content.prefix(2_000)))])
        }
        return .object(["description": .string(String(ticket.description.prefix(2_000))), "messages": .array(conversation)])
    }

    private func complete(_ job: JobRepository.Job) async throws {
        let now = clock()
        try await database.transaction { conn in _ = try JobRepository.complete(on: conn, id: job.id, at: now) }
    }

    private static func json(_ vector: [Double]) -> String {
        "[" + vector.map { String($0) }.joined(separator: ",") + "]"
    }

    private struct Loaded: Sendable {
        var ticket: TicketRepository.Ticket
        var messages: [TicketRepository.Message]
        var done: Bool
    }
}
