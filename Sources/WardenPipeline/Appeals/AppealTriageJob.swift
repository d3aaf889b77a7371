import Foundation
import WardenCore
import WardenLLM
import WardenStore

/// An appeal's triage: asks the model through `prompts/appeal_triage` for a short summary, the evidence it
/// rests on, and a suggestion about the automatic action (uphold / overturn) with a confidence, and writes
/// it beside the appeal. It never decides: the appeal, its log and the member are left as they are.
///
/// The call is charged to the guild (`QuotaGate.consumeForGuild`, `llm.guild_daily_limit`), not to the
/// member who appealed. The appeal and the message are untrusted: they reach the model only as escaped JSON
/// between the prompt's boundary lines, and Warden's own check (`InstructionSignals`, run when the appeal
/// was filed) flags instruction-like text whatever the model answers.
///
/// - Guild limit reached (or its setting unreadable), or the appeal already decided: `skipped`, no call.
/// - No answer (timeouts, 5xx, 429, open circuit): the call is refunded and the job retried with backoff
///   until the outage ends; the triage stays `queued`.
/// - An answer that cannot be used (refused, off-schema, cut off): `failed`; the call stays charged.
/// - An answer: `done`, written with the job's completion in one transaction (once, even if asked twice).
public struct AppealTriageJob: JobHandler {
    public static let kind = "appeal_triage"
    public var kind: String { Self.kind }

    public let database: any Database
    public let client: LLMClient
    public let template: PromptTemplate
    public let quota: QuotaGate
    private let clock: @Sendable () -> Date

    public init(database: any Database, client: LLMClient, template: PromptTemplate, quota: QuotaGate,
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database; self.client = client; self.template = template; self.quota = quota; self.clock = clock
    }

    /// Queues the triage of an appeal just filed, inside the filing transaction. Once per appeal.
    static func enqueue(on conn: any SQLConnection, appeal: Int64, guild: Int64, at now: Date) throws {
        try JobRepository.enqueue(on: conn, kind: kind, payloadJSON: JSONValue.object([
            "appeal_id": .string(String(appeal)), "guild_id": .string(String(guild)),
        ]).encoded(), dedupeKey: "appeal_triage:\(appeal)", runAfter: now, at: now)
    }

    public func run(_ job: JobRepository.Job) async throws {
        let (appealID, guild) = try Self.payload(job)
        let loaded = try await database.transaction { conn -> AppealRepository.Listing? in
            guard let triage = try AppealTriageRepository.triage(on: conn, appeal: appealID, guild: guild),
                  triage.status == AppealTriage.Status.queued.rawValue else { return nil }
            return try AppealRepository.listing(on: conn, guild: guild, id: appealID)
        }
        guard let listing = loaded else {
            // Written already (by a worker that died before completing), or the appeal is gone.
            try await close(job, appeal: appealID, guild: guild, nil)
            return
        }
        guard listing.appeal.status == AppealStatus.pending.rawValue else {
            // A moderator got there first: a brief would help nobody, so the guild is not charged for one.
            try await close(job, appeal: appealID, guild: guild, (.skipped, "the appeal was \(listing.appeal.status) before its triage ran"))
            return
        }
        let ticket: QuotaGate.Ticket
        do {
            switch try await quota.consumeForGuild(guild) {
            case .allowed(let granted): ticket = granted
            case .denied(let limit, _):
                try await close(job, appeal: appealID, guild: guild, (.skipped, "the guild's daily limit of \(limit) model calls "
                                + "(\(QuotaGate.settingsScope).\(QuotaGate.guildLimitKey)) is reached"))
                return
            }
        } catch let error as QuotaSettingError {
            try await close(job, appeal: appealID, guild: guild, (.skipped, "\(error)"))
            return
        }
        let result: ChatResult
        do throws(LLMError) {
            result = try await client.chat(ChatRequest(task: .summary, messages: template.render(data: Self.data(listing)),
                                                       output: template.output, temperature: 0))
        } catch {
            guard error.modelAnswered else {
                // No answer: the guild is not charged for it.
                try? await quota.refund(ticket)
                throw JobFailure("triage of appeal \(appealID): \(error.summary)", outage: error.isOutage)
            }
            // The model answered (and was paid for): charged, like any answer.
            if try await !close(job, appeal: appealID, guild: guild, (.failed, "the model's answer could not be used (\(error.kind.rawValue))")) {
                try? await quota.refund(ticket)
            }
            return
        }
        guard let json = result.json, let answer = Self.parse(json, promptHash: template.hash, model: result.model) else {
            if try await !close(job, appeal: appealID, guild: guild, (.failed, "the model's answer failed our checks")) {
                try? await quota.refund(ticket)
            }
            return
        }
        let now = clock()
        let written = try await database.transaction { conn in
            guard try JobRepository.complete(on: conn, id: job.id, at: now) else { return false }
            _ = try AppealTriageRepository.recordAnswer(on: conn, appeal: appealID, guild: guild, answer, at: now)
            return true
        }
        // Another worker took the job over (our lease ran out) and writes its own answer: this call is not charged.
        if !written { try? await quota.refund(ticket) }
    }

    /// Leaves the triage `failed`, where moderators see it, when the job is given up.
    public func gaveUp(_ job: JobRepository.Job, reason: String) async throws {
        guard let payload = try? Self.payload(job) else { return }
        let now = clock()
        try await database.transaction { conn in
            _ = try AppealTriageRepository.close(on: conn, appeal: payload.appeal, guild: payload.guild, status: AppealTriage.Status.failed.rawValue,
                                                 note: "given up: \(reason)", promptHash: nil, at: now)
        }
    }

    /// What the model sees: the appeal's reason and the logged action it is about. No ids or names.
    static func data(_ listing: AppealRepository.Listing) -> JSONValue {
        let log = listing.log
        let rule: JSONValue = log.ruleName.map { .object(["name": .string($0), "type": .string(log.ruleType ?? "")]) } ?? .null
        let matches = (log.evidenceJSON.flatMap { try? JSONValue.parse($0) }?.arrayValue ?? []).prefix(5)
        return .object([
            "appeal": .object(["reason": .string(String(listing.appeal.reason.prefix(AppealDesk.maxTextLength)))]),
            "log": .object([
                "message": .string(String((log.messageContent ?? "").prefix(4_000))),
                "actions": .string(log.actionTaken),
                "rule": rule,
                "matches": .array(Array(matches)),
            ]),
        ])
    }

    /// The checked answer, or nil. Evidence points are trimmed and empty ones dropped; at least one must be left.
    /// Largest summary and evidence point kept, in UTF-8 bytes (4x the schema's characters, room for any script).
    static let maxSummaryBytes = 2_400
    static let maxEvidenceBytes = 1_200

    static func parse(_ json: JSONValue, promptHash: String, model: String?) -> AppealTriageRepository.Answer? {
        guard let summary = json["summary"]?.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines), !summary.isEmpty,
              let suggestion = json["suggestion"]?.stringValue.flatMap(AppealTriage.Suggestion.init(rawValue:)),
              let confidence = json["confidence"]?.numberValue, confidence.isFinite, (0...1).contains(confidence),
              let attempt = json["instruction_attempt"]?.boolValue,
              let items = json["evidence"]?.arrayValue else { return nil }
        let evidence = items.compactMap { $0.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        guard !evidence.isEmpty, evidence.count == items.count else { return nil }
        // The schema bounds characters, and a character can carry any number of combining marks: bytes are
        // bounded here too, since the answer is stored and listed with up to 500 appeals at once.
        guard summary.utf8.count <= maxSummaryBytes, evidence.allSatisfy({ $0.utf8.count <= maxEvidenceBytes }) else { return nil }
        return AppealTriageRepository.Answer(
            summary: summary, evidenceJSON: JSONValue.array(evidence.map { .string($0) }).encoded(), suggestion: suggestion.rawValue,
            confidence: confidence, instructionAttempt: attempt, promptHash: promptHash,
            model: model.map { String(decoding: $0.utf8.prefix(200), as: UTF8.self) })
    }

    /// Ends the triage (when `outcome` is given and it is still queued) and completes the job, in one transaction.
    /// - Returns: false when the job was no longer ours to complete (nothing was written).
    @discardableResult
    private func close(_ job: JobRepository.Job, appeal: Int64, guild: Int64, _ outcome: (AppealTriage.Status, String)?) async throws -> Bool {
        let now = clock()
        let hash = template.hash
        return try await database.transaction { conn in
            guard try JobRepository.complete(on: conn, id: job.id, at: now) else { return false }
            if let outcome {
                _ = try AppealTriageRepository.close(on: conn, appeal: appeal, guild: guild, status: outcome.0.rawValue, note: outcome.1,
                                                     promptHash: hash, at: now)
            }
            return true
        }
    }

    private static func payload(_ job: JobRepository.Job) throws(JobFailure) -> (appeal: Int64, guild: Int64) {
        guard let fields = try? JSONDecoder().decode([String: String].self, from: Data(job.payloadJSON.utf8)),
              let appeal = fields["appeal_id"].flatMap(Int64.init), let guild = fields["guild_id"].flatMap(Int64.init) else {
            throw JobFailure("job \(job.id) (\(job.kind)): payload needs appeal_id and guild_id as integer strings", retryable: false)
        }
        return (appeal, guild)
    }
}
