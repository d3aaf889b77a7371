import Foundation
import WardenCore
import WardenLLM
import WardenPipeline
import WardenStore

/// Checks one submitted screenshot: the member's quota, the vision model, the guild's policy.
///
/// - Quota exhausted: `manual_review` (a moderator checks it instead), no model call.
/// - Model outage (timeouts, 5xx, 429, open circuit): the call is refunded, the verification becomes `error`
///   (moderators see it and may resolve it by hand), and the job is retried with backoff until the outage ends.
/// - An answer that cannot be used (refused, off-schema, cut off): `manual_review`; the call counts.
/// - An answer: the policy decides; `ai_reason` is stored redacted (cards, IBANs, emails, phones, long ids).
/// The same image (by SHA-256) submitted earlier by another member of the guild goes to `manual_review`.
public struct VerificationJob: JobHandler {
    public static let kind = "verification"
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

    static func enqueue(on conn: any SQLConnection, verification: Int64, at now: Date) throws {
        try JobRepository.enqueue(on: conn, kind: kind, payloadJSON: JobPayload.encode(["verification_id": String(verification)]),
                                  dedupeKey: "verification:\(verification)", runAfter: now, at: now)
    }

    public func run(_ job: JobRepository.Job) async throws {
        let fields = try JobPayload.decode(job)
        let id = try JobPayload.id(fields, "verification_id", job: job)
        let loaded = try await database.transaction { conn -> Loaded? in
            guard let v = try VerificationRepository.verification(on: conn, id: id), ["pending", "error"].contains(v.status),
                  let image = try VerificationRepository.image(on: conn, id: id) else { return nil }
            let duplicate = try VerificationRepository.imageUsedByAnotherMember(
                on: conn, guild: v.guildID, imageSHA256: v.imageSHA256 ?? "", user: v.userID, before: v.id)
            let settings = try SupportSettings.load(on: conn, guild: v.guildID)
            try VerificationRepository.countAttempt(on: conn, id: id, at: clock())
            return Loaded(verification: v, imageBase64: image.base64, contentType: image.contentType, duplicate: duplicate,
                          policy: settings.verification)
        }
        guard let loaded, let bytes = Data(base64Encoded: loaded.imageBase64) else {
            // Decided already (a moderator, or a worker that died after writing), or gone.
            try await finish(job, id: id, outcome: nil)
            return
        }
        let v = loaded.verification
        let gate = try await quota.consume(user: v.userID, guild: v.guildID)
        guard case .allowed(let ticket) = gate else {
            try await finish(job, id: id, outcome: Self.review(["the member's daily AI quota is used up; check the screenshot by hand"],
                                                               duplicate: loaded.duplicate))
            return
        }
        let answer: VerificationAnswer
        do {
            answer = try await ask(bytes: [UInt8](bytes), contentType: loaded.contentType)
        } catch {
            if error.modelAnswered {
                // The model answered (and was paid for): counted, like any answer.
                let kept = try await finish(job, id: id, outcome: Self.review(["the model's answer could not be used (\(error.kind.rawValue))"],
                                                                              duplicate: loaded.duplicate))
                if !kept, let ticket { try? await quota.refund(ticket) }
                return
            }
            // No answer: the member is not charged for it.
            if let ticket { try? await quota.refund(ticket) }
            let now = clock()
            try await database.transaction { conn in
                _ = try VerificationRepository.recordError(on: conn, id: id, error: error.summary, at: now)
            }
            throw JobFailure("verification \(id): \(error.summary)", outage: error.isOutage)
        }
        let decision = loaded.policy.decide(answer, duplicateImage: loaded.duplicate, now: clock())
        // Another worker took the job over (our lease ran out) and writes its own result: this call is not charged.
        if try await !finish(job, id: id, outcome: Self.outcome(answer, decision)), let ticket {
            try? await quota.refund(ticket)
        }
    }

    /// Leaves the verification in `error`, where moderators see it, when the job is given up.
    public func gaveUp(_ job: JobRepository.Job, reason: String) async throws {
        guard let fields = try? JobPayload.decode(job), let id = try? JobPayload.id(fields, "verification_id", job: job) else { return }
        let now = clock()
        try await database.transaction { conn in
            _ = try VerificationRepository.recordError(on: conn, id: id, error: reason, at: now)
        }
    }

    /// Asks the vision model about the image.
    func ask(bytes: [UInt8], contentType: String) async throws(LLMError) -> VerificationAnswer {
        var messages = template.render(data: .object(["upload": .string("payment screenshot"), "content_type": .string(contentType)]))
        if let last = messages.indices.last {
            messages[last].parts.append(.image(bytes: bytes, mediaType: contentType))
        }
        let result = try await client.chat(ChatRequest(task: .vision, messages: messages, output: template.output, temperature: 0))
        guard let json = result.json else {
            throw LLMError(.schemaViolation, "no JSON answer", requestID: result.requestID, attempts: result.attempts)
        }
        do {
            return try JSONDecoder().decode(VerificationAnswer.self, from: Data(json.encoded().utf8))
        } catch {
            throw LLMError(.schemaViolation, "the verification answer failed our checks", requestID: result.requestID, attempts: result.attempts)
        }
    }

    static func outcome(_ answer: VerificationAnswer, _ decision: VerificationDecision) -> VerificationRepository.Outcome {
        let reasons: [String]
        if case .manualReview(let list) = decision { reasons = list } else { reasons = [] }
        let date = answer.paymentDate.flatMap { VerificationPolicy.isDay($0) ? $0 : nil }
        return VerificationRepository.Outcome(
            status: decision.status, canVerify: answer.canVerify, needsManualReview: answer.needsManualReview,
            reason: Redactor.redact(answer.reason), paymentDate: date, amount: answer.amount.map { "\($0)" },
            currency: answer.currency.map { String($0.prefix(12)) }, merchant: answer.merchant.map { Redactor.redact(String($0.prefix(200))) },
            reviewReasonsJSON: JSONValue.array(reasons.map { .string($0) }).encoded())
    }

    static func review(_ reasons: [String], duplicate: Bool) -> VerificationRepository.Outcome {
        let all = (duplicate ? ["the same screenshot was already submitted by another member"] : []) + reasons
        return VerificationRepository.Outcome(status: "manual_review", canVerify: nil, needsManualReview: nil, reason: all.joined(separator: "; "),
                                              paymentDate: nil, amount: nil, currency: nil, merchant: nil,
                                              reviewReasonsJSON: JSONValue.array(all.map { .string($0) }).encoded())
    }

    /// Records the outcome (when there is one and the verification is still open), completes the job and
    /// announces the result, in one transaction.
    /// - Returns: false when the job was no longer ours to complete (nothing was written).
    @discardableResult
    private func finish(_ job: JobRepository.Job, id: Int64, outcome: VerificationRepository.Outcome?) async throws -> Bool {
        let now = clock()
        return try await database.transaction { conn in
            guard try JobRepository.complete(on: conn, id: job.id, at: now) else { return false }
            guard let outcome, try VerificationRepository.record(on: conn, id: id, outcome, at: now),
                  let after = try VerificationRepository.verification(on: conn, id: id) else { return true }
            try EventRepository.append(on: conn, guild: after.guildID, kind: VerificationDesk.eventKind,
                                       payloadJSON: VerificationDesk.event(after).encoded(), at: now)
            return true
        }
    }

    private struct Loaded: Sendable {
        var verification: VerificationRepository.Verification
        var imageBase64: String
        var contentType: String
        var duplicate: Bool
        var policy: VerificationPolicy
    }
}
