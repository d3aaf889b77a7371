import Foundation
import Synchronization
import WardenCore
import WardenLLM
import WardenStore

/// The LLM stage: asks the model about messages the cheaper stages let through, within each guild's
/// deadline, and follows verdicts that come later. A late verdict is a durable job (`LateVerdictJob`) from
/// the moment its decision is written, so a crash loses nothing: the job runner finishes it. Verdicts are
/// written through the `DecisionWriter`, never through the pipeline.
public final class LLMModerator: Sendable {
    public let analyzer: AutomodAnalyzer
    public let quota: QuotaGate
    public let writer: DecisionWriter
    public let guilds: GuildDirectory
    private let late = Mutex<LateWork>(LateWork())
    /// Reports problems of background work (a late verdict that could not be written).
    private let report: @Sendable (String) -> Void

    struct LateWork {
        var outstanding = 0
    }

    public init(analyzer: AutomodAnalyzer, quota: QuotaGate, writer: DecisionWriter, guilds: GuildDirectory,
                report: @escaping @Sendable (String) -> Void = { _ in }) {
        self.analyzer = analyzer; self.quota = quota; self.writer = writer; self.guilds = guilds; self.report = report
    }

    /// What became of one message within its deadline.
    enum Outcome: Sendable {
        case analysed(AIAnalysis)
        case failed(LLMError)
        case denied(QuotaStatus)
        /// The model is still working; the decision goes out and the verdict follows as an event.
        case pending(PendingVerdict)
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
        guard let result = await Self.first(of: work, before: deadline) else {
            do {
                return .pending(PendingVerdict(work: work, ticket: ticket, jobPayload: try LateVerdictJob.payload(message, ticket: ticket),
                                               dedupeKey: LateVerdictJob.dedupeKey(message), lease: lateLease))
            } catch {
                work.cancel()
                if let ticket { try? await quota.refund(ticket) }
                return .quotaUnavailable("the pending verdict could not be recorded: \(error)")
            }
        }
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

    /// How long a pending verdict's job stays with this process before another may take it over, and how
    /// long the job runner holds it when it takes it over.
    var lateLease: TimeInterval { Self.seconds(analyzer.client.configuration.callDeadline) + 30 }

    /// Tests only: behave like a process that dies before its late verdicts arrive.
    let abandonsLateVerdicts = Mutex(false)

    /// Follows a verdict that missed its deadline; when it arrives it is written with its actions and an event.
    func deliverLate(job: Int64, message: DiscordMessage, pending: PendingVerdict) {
        if abandonsLateVerdicts.withLock({ $0 }) { pending.work.cancel(); return }
        track {
            let result = await pending.work.value
            do {
                try await self.writeLate(job: job, message: message, ticket: pending.ticket, result: result)
            } catch {
                // The job stays queued and the job runner retries it after its lease; the verdict is not lost.
                self.report("late LLM verdict for message \(message.id) in guild \(message.guildID) not written yet (its job is retried): \(error)")
            }
        }
    }

    /// Writes a late verdict (or what became of its call) through the decision writer, exactly once per job.
    func writeLate(job: Int64, message: DiscordMessage, ticket: QuotaGate.Ticket?, result: Result<AIAnalysis, LLMError>) async throws {
        let context = try await guilds.context(for: message.guildID)
        let rules = context.rules.aiRules(for: message)
        let verdict: LateVerdict
        switch result {
        case .success(let answer):
            verdict = LateVerdict(matches: AIKind.matches(for: answer, rules: rules), note: "done", analysis: answer, refund: nil)
        case .failure(let error):
            let unjudged = Self.unjudged(error, policy: context.policy, rules: rules)
            verdict = LateVerdict(matches: unjudged.match.map { [$0] } ?? [], note: unjudged.note, analysis: nil,
                                  refund: error.modelAnswered ? nil : ticket)
        }
        try await writer.writeLateVerdict(verdict, job: job, message: message, context: context)
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

    // MARK: - Messages the model did not judge

    /// The decision's note for a message the LLM did not judge, and the match that sends it to moderators
    /// (nil when the guild lets it pass).
    struct Unjudged {
        let note: String
        let match: RuleMatch?
    }

    /// A provider outage follows the guild's choice; an answer that came but could not be used (refused,
    /// filtered, off-schema, cut off) always goes to moderators: a message that derails the model must not
    /// pass as "not moderated". Only the error's summary is kept, never text the provider or the model wrote.
    static func unjudged(_ error: LLMError, policy: GuildPolicy, rules: [CompiledRule]) -> Unjudged {
        if error.isOutage { return outage(error.summary, policy: policy, rules: rules) }
        return Unjudged(note: "error: the model's answer could not be used, sent to moderators for review: \(error.summary)",
                        match: reviewMatch(rules))
    }

    /// The note, and for fail-to-review guilds the alert match, for a message the LLM could not judge.
    static func outage(_ reason: String, policy: GuildPolicy, rules: [CompiledRule]) -> Unjudged {
        switch policy.llmOnOutage {
        case .failOpen:
            return Unjudged(note: "unavailable: not moderated by the LLM (fail_open): \(reason)", match: nil)
        case .failToReview:
            return Unjudged(note: "unavailable: sent to moderators for review (fail_to_review): \(reason)", match: reviewMatch(rules))
        }
    }

    static func reviewMatch(_ rules: [CompiledRule]) -> RuleMatch {
        let rule = rules.first
        return RuleMatch(rule: (rule?.name ?? "ai") + ":llm_unavailable", ruleID: rule?.id, type: .ai, stage: .llm,
                         evidence: Evidence(category: "llm_unavailable"),
                         action: RuleAction(type: .alert, severity: 1, reason: "The LLM could not judge this message; please review it"))
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
