import Foundation
import Synchronization
import WardenCore
import WardenLLM
import WardenStore

/// The LLM stage: asks the model about messages the cheaper stages let through, within each guild's
/// deadline, and delivers verdicts that come later through the events feed. A late verdict is a durable
/// job from the moment its decision is written, so a crash loses nothing: `resume()` finishes it.
public final class LLMModerator: Sendable {
    public let analyzer: AutomodAnalyzer
    public let quota: QuotaGate
    let database: any Database
    private let clock: @Sendable () -> Date
    private let late = Mutex<LateWork>(LateWork())
    /// Reports problems of background work (a late verdict that could not be written).
    private let report: @Sendable (String) -> Void

    /// `jobs.kind` of a pending verdict.
    public static let jobKind = "llm_verdict"
    /// `events.kind` of a delivered verdict.
    public static let eventKind = "llm_verdict"

    struct LateWork {
        var outstanding = 0
    }

    public init(analyzer: AutomodAnalyzer, database: any Database, clock: @escaping @Sendable () -> Date = { Date() },
                report: @escaping @Sendable (String) -> Void = { _ in }) {
        self.analyzer = analyzer; self.database = database; self.clock = clock; self.report = report
        quota = QuotaGate(database: database, clock: clock)
    }

    /// What became of one message within its deadline.
    enum Outcome: Sendable {
        case analysed(AIAnalysis)
        case failed(LLMError)
        case denied(QuotaStatus)
        /// The model is still working; the decision goes out and the verdict follows as an event.
        case pending(Task<Result<AIAnalysis, LLMError>, Never>, QuotaGate.Ticket?)
        /// The quota could not be checked (the store failed or a setting is invalid).
        case quotaUnavailable(String)
    }

    /// Judges messages concurrently; each returns by its deadline.
    func judge(_ messages: [DiscordMessage], until deadline: ContinuousClock.Instant) async -> [Outcome] {
        await withTaskGroup(of: (Int, Outcome).self) { group in
            for (index, message) in messages.enumerated() {
                group.addTask { (index, await self.judge(message, until: deadline)) }
            }
            var out = [Outcome?](repeating: nil, count: messages.count)
            for await (index, outcome) in group { out[index] = outcome }
            return out.map { $0 ?? .quotaUnavailable("no outcome") }
        }
    }

    private func judge(_ message: DiscordMessage, until deadline: ContinuousClock.Instant) async -> Outcome {
        let ticket: QuotaGate.Ticket?
        do {
            switch try await quota.consume(user: message.author.id.int64, guild: message.guildID.int64) {
            case .denied(let status): return .denied(status)
            case .allowed(let granted): ticket = granted
            }
        } catch {
            return .quotaUnavailable("\(error)")
        }
        let analyzer = self.analyzer
        let work = Task { () -> Result<AIAnalysis, LLMError> in
            do throws(LLMError) { return .success(try await analyzer.analyze(message)) } catch { return .failure(error) }
        }
        guard let result = await Self.first(of: work, before: deadline) else { return .pending(work, ticket) }
        switch result {
        case .success(let analysis):
            return .analysed(analysis)
        case .failure(let error):
            if !error.modelAnswered, let ticket { try? await quota.refund(ticket) }
            return .failed(error)
        }
    }

    /// The task's value if it finishes before `deadline`, else nil. The task keeps running either way;
    /// unlike a task group, this does not wait for it once the deadline passed.
    static func first<T: Sendable>(of task: Task<T, Never>, before deadline: ContinuousClock.Instant) async -> T? {
        let slot = OneShot<T?>()
        return await withCheckedContinuation { continuation in
            slot.set(continuation)
            let timer = Task {
                try? await Task.sleep(until: deadline, clock: .continuous)
                slot.resume(with: nil)
            }
            Task {
                slot.resume(with: await task.value)
                timer.cancel()   // after the resume (the woken timer finds the slot taken): no sleeper left behind
            }
        }
    }

    // MARK: - Late verdicts

    /// What a pending verdict's job remembers: enough to finish it in another process after a crash.
    struct PendingJob: Codable {
        var message: DiscordMessage
        /// The `gpt_usage` day the call was counted on (nil: not counted), for a refund if no answer comes.
        var quotaDay: String?
    }

    static func jobPayload(_ message: DiscordMessage, ticket: QuotaGate.Ticket?) throws -> String {
        String(decoding: try MessagePipeline.encoder.encode(PendingJob(message: message, quotaDay: ticket?.day)), as: UTF8.self)
    }

    /// A verdict job is given up after this many leases (each a model call), and delivered as unavailable.
    static let maxJobAttempts = 5

    /// Tests only: behave like a process that dies before its late verdicts arrive.
    let abandonsLateVerdicts = Mutex(false)

    static func dedupeKey(_ message: DiscordMessage) -> String { "llm:\(message.guildID):\(message.id)" }

    /// Follows a verdict that missed its deadline; when it arrives it is written with its actions and an event.
    func deliverLate(job: Int64, message: DiscordMessage, ticket: QuotaGate.Ticket?, work: Task<Result<AIAnalysis, LLMError>, Never>,
                     pipeline: MessagePipeline) {
        if abandonsLateVerdicts.withLock({ $0 }) { work.cancel(); return }
        track {
            let result = await work.value
            await self.finish(job: job, message: message, ticket: ticket, result: result, pipeline: pipeline)
        }
    }

    /// Finishes verdict jobs left by a process that stopped before writing them (crash, kill, deploy).
    /// Returns how many were finished.
    @discardableResult
    public func resume(pipeline: MessagePipeline, limit: Int = 100) async throws -> Int {
        let leaseSeconds = Self.seconds(analyzer.client.configuration.callDeadline) + 30
        let jobs = try await database.transaction { conn in
            try JobRepository.lease(on: conn, kinds: [Self.jobKind], limit: limit, lease: leaseSeconds, at: self.clock())
        }
        await withTaskGroup(of: Void.self) { group in
            for job in jobs {
                group.addTask { await self.resume(job, pipeline: pipeline) }
            }
        }
        return jobs.count
    }

    private func resume(_ job: JobRepository.Job, pipeline: MessagePipeline) async {
        let pending: PendingJob
        do { pending = try JSONDecoder().decode(PendingJob.self, from: Data(job.payloadJSON.utf8)) } catch {
            _ = try? await database.transaction { conn in
                try JobRepository.fail(on: conn, id: job.id, error: "unreadable payload: \(error)", retryAt: nil, at: self.clock())
            }
            return
        }
        let ticket = pending.quotaDay.map {
            QuotaGate.Ticket(user: pending.message.author.id.int64, guild: pending.message.guildID.int64, day: $0, used: 0, limit: nil)
        }
        let result: Result<AIAnalysis, LLMError>
        if job.attempts > Self.maxJobAttempts {
            // Each lease was a model call that never got written; stop spending on it.
            result = .failure(LLMError(.deadlineExceeded, "gave up after \(job.attempts - 1) attempts", attempts: job.attempts - 1))
        } else {
            do throws(LLMError) { result = .success(try await analyzer.analyze(pending.message)) } catch { result = .failure(error) }
        }
        await finish(job: job.id, message: pending.message, ticket: ticket, result: result, pipeline: pipeline)
    }

    /// Waits until every late verdict this process is following has been written (or `timeout` passes).
    /// Returns how many were still outstanding at the timeout.
    @discardableResult
    public func drain(timeout: Duration) async -> Int {
        let end = ContinuousClock.now + timeout
        while ContinuousClock.now < end {
            if outstanding == 0 { return 0 }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return outstanding
    }

    /// Late verdicts this process is following now.
    public var outstanding: Int { late.withLock { $0.outstanding } }

    private func track(_ body: @escaping @Sendable () async -> Void) {
        // Counted before the task starts and uncounted by the task itself, so `drain` can never miss one.
        late.withLock { $0.outstanding += 1 }
        Task {
            await body()
            self.late.withLock { $0.outstanding -= 1 }
        }
    }

    private func finish(job: Int64, message: DiscordMessage, ticket: QuotaGate.Ticket?, result: Result<AIAnalysis, LLMError>,
                        pipeline: MessagePipeline) async {
        do {
            try await pipeline.retryingTransient {
                try await pipeline.writeLateVerdict(job: job, message: message, result: result, ticket: ticket)
            }
        } catch {
            // The job stays queued and `resume()` retries it after its lease; the verdict is not lost.
            report("late LLM verdict for message \(message.id) in guild \(message.guildID) not written yet (its job is retried): \(error)")
        }
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}

/// A continuation resumed by whichever of several racers comes first; the others find it gone.
private final class OneShot<T: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<T, Never>?>(nil)
    func set(_ c: CheckedContinuation<T, Never>) { continuation.withLock { $0 = c } }
    func resume(with value: T) {
        continuation.withLock { slot in defer { slot = nil }; return slot }?.resume(returning: value)
    }
}
