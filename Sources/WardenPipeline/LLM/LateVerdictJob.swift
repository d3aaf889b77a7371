import Foundation
import WardenCore
import WardenLLM
import WardenStore

/// The job of a verdict that missed its deadline. The process that asked the model follows the call in
/// memory and finishes the job itself; the job runner takes it over only when that process did not (it
/// crashed, was killed or redeployed) once the job's lease has run out, and asks the model again.
public struct LateVerdictJob: JobHandler {
    /// `jobs.kind` of a pending verdict.
    public static let kind = "llm_verdict"
    /// `events.kind` of a delivered verdict.
    public static let eventKind = "llm_verdict"
    /// A verdict job is given up after this many leases (each a model call), and delivered as unavailable.
    static let maxAttempts = 5

    public var kind: String { Self.kind }
    /// As long as the model call may take, plus time to write: the base lease is for support work.
    public var lease: TimeInterval? { moderator.lateLease }
    let moderator: LLMModerator

    public init(moderator: LLMModerator) { self.moderator = moderator }

    /// What the job remembers: enough to finish it in another process after a crash.
    struct Payload: Codable {
        var message: DiscordMessage
        /// The `gpt_usage` day the call was counted on (nil: not counted), for a refund if no answer comes.
        var quotaDay: String?
    }

    static func payload(_ message: DiscordMessage, ticket: QuotaGate.Ticket?) throws -> String {
        String(decoding: try DecisionWriter.encoder.encode(Payload(message: message, quotaDay: ticket?.day)), as: UTF8.self)
    }

    static func dedupeKey(_ message: DiscordMessage) -> String { "llm:\(message.guildID):\(message.id)" }

    public func run(_ job: JobRepository.Job) async throws {
        let pending: Payload
        do { pending = try JSONDecoder().decode(Payload.self, from: Data(job.payloadJSON.utf8)) } catch {
            throw JobFailure("job \(job.id) (\(job.kind)): unreadable payload: \(error)", retryable: false)
        }
        let message = pending.message
        let ticket = pending.quotaDay.map {
            QuotaGate.Ticket(user: message.author.id.int64, guild: message.guildID.int64, day: $0, used: 0, limit: nil)
        }
        let result: Result<AIAnalysis, LLMError>
        if job.attempts > Self.maxAttempts {
            // Each lease was a model call that never got written; stop spending on it.
            result = .failure(LLMError(.deadlineExceeded, "gave up after \(job.attempts - 1) attempts", attempts: job.attempts - 1))
        } else {
            do throws(LLMError) { result = .success(try await moderator.analyzer.analyze(message)) } catch { result = .failure(error) }
        }
        // The verdict could not be written (the store or the guild's rules failed): retried for as long as
        // that lasts, like an outage, never given up, so the verdict is not lost.
        do {
            try await moderator.writeLate(job: job.id, message: message, ticket: ticket, result: result)
        } catch {
            throw JobFailure("job \(job.id) (\(job.kind)): the verdict could not be written: \(error)", outage: true)
        }
    }
}
