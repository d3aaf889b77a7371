import Foundation
import WardenCore
import WardenLLM
import WardenStore

/// What the LLM stage says about one message: the note for `decision.stages["llm"]`, the analysis when
/// the model answered in time, and the work still running when it did not.
struct LLMNote: Sendable {
    var state: String
    var analysis: AIAnalysis?
    var pending: (work: Task<Result<AIAnalysis, LLMError>, Never>, ticket: QuotaGate.Ticket?)?

    init(_ state: String, analysis: AIAnalysis? = nil,
         pending: (work: Task<Result<AIAnalysis, LLMError>, Never>, ticket: QuotaGate.Ticket?)? = nil) {
        self.state = state; self.analysis = analysis; self.pending = pending
    }
}

extension MessagePipeline {
    /// Runs the LLM stage for the messages that need it (a guild with `ai` rules that apply, not blocked
    /// already, some text, not processed before), adding its matches to their evaluations. Returns a note
    /// per message (nil where the stage does not concern the message). Never holds a message past its
    /// guild's deadline counted from `started`.
    func llmStage(_ prepared: inout [(Evaluation, GuildContext, Double)], started: ContinuousClock.Instant) async throws -> [LLMNote?] {
        var notes = [LLMNote?](repeating: nil, count: prepared.count)
        var candidates: [Int] = []
        for (i, item) in prepared.enumerated() {
            let (evaluation, context, _) = item
            // Cheap checks first: most guilds have no ai rules, and this runs for every message.
            guard !context.rules.aiRules.isEmpty, evaluation.skipped == nil,
                  context.rules.hasAIRule(for: evaluation.message) else { continue }
            if llm == nil {
                notes[i] = LLMNote("off: no LLM provider is configured, ai rules were not evaluated")
            } else if evaluation.matches.contains(where: { $0.action.deletesMessage }) {
                notes[i] = LLMNote("skipped: already blocked by an earlier stage")
            } else if evaluation.message.content.allSatisfy(\.isWhitespace) {
                notes[i] = LLMNote("skipped: no text to judge")
            } else {
                candidates.append(i)
            }
        }
        guard let llm, !candidates.isEmpty else { return notes }

        // A re-delivery gets its first decision back; asking the model again would spend quota for nothing.
        let snapshot = prepared
        let asked = candidates
        let seen = try await database.transaction { conn in
            try Set(asked.filter { i in
                let message = snapshot[i].0.message
                return try AutomodRepository.storedDecision(on: conn, guild: message.guildID.int64, message: message.id.int64) != nil
            })
        }
        candidates.removeAll { seen.contains($0) }
        // One deadline for the batch, the strictest of its guilds: the answer goes out for all of them at once.
        let deadlineMillis = candidates.map { prepared[$0].1.policy.llmDeadlineMillis }.min() ?? GuildPolicy.defaultLLMDeadlineMillis
        let outcomes = await llm.judge(candidates.map { prepared[$0].0.message }, until: started + .milliseconds(deadlineMillis))
        for (i, outcome) in zip(candidates, outcomes) {
            let (evaluation, context, _) = prepared[i]
            let rules = context.rules.aiRules(for: evaluation.message)
            switch outcome {
            case .analysed(let analysis):
                prepared[i].0.matches += AIVerdict.matches(for: analysis, rules: rules)
                notes[i] = LLMNote("done", analysis: analysis)
            case .denied(let status):
                let limit = status.limit.map(String.init) ?? "unlimited"
                notes[i] = LLMNote("skipped: the member's daily LLM quota is used up (\(status.used) of \(limit) today, tier \(status.tier.rawValue))")
            case .pending(let work, let ticket):
                notes[i] = LLMNote("pending: no verdict within \(deadlineMillis) ms; it follows as an \(LLMModerator.eventKind) event",
                                   pending: (work, ticket))
            case .failed(let error):
                let (note, match) = Self.unjudged(error, policy: context.policy, rules: rules)
                if let match { prepared[i].0.matches.append(match) }
                notes[i] = LLMNote(note)
            case .quotaUnavailable(let reason):
                let (note, match) = Self.outage("quota_unavailable: \(reason)", policy: context.policy, rules: rules)
                if let match { prepared[i].0.matches.append(match) }
                notes[i] = LLMNote(note)
            }
        }
        return notes
    }

    /// The note and match for a message the LLM did not judge. A provider outage follows the guild's
    /// choice; an answer that came but could not be used (refused, filtered, off-schema, cut off) always
    /// goes to moderators: a message that derails the model must not pass as "not moderated". Only the
    /// error's summary is kept, never text the provider or the model wrote.
    static func unjudged(_ error: LLMError, policy: GuildPolicy, rules: [CompiledRule]) -> (String, RuleMatch?) {
        if error.isOutage { return outage(error.summary, policy: policy, rules: rules) }
        return ("error: the model's answer could not be used, sent to moderators for review: \(error.summary)", reviewMatch(rules))
    }

    static func reviewMatch(_ rules: [CompiledRule]) -> RuleMatch {
        let rule = rules.first
        return RuleMatch(rule: (rule?.name ?? "ai") + ":llm_unavailable", ruleID: rule?.id, type: .ai, stage: .llm,
                         evidence: Evidence(category: "llm_unavailable"),
                         action: RuleAction(type: .alert, severity: 1, reason: "The LLM could not judge this message; please review it"))
    }

    /// The note, and for fail-to-review guilds the alert match, for a message the LLM could not judge.
    static func outage(_ reason: String, policy: GuildPolicy, rules: [CompiledRule]) -> (String, RuleMatch?) {
        switch policy.llmOnOutage {
        case .failOpen:
            return ("unavailable: not moderated by the LLM (fail_open): \(reason)", nil)
        case .failToReview:
            return ("unavailable: sent to moderators for review (fail_to_review): \(reason)", reviewMatch(rules))
        }
    }

    /// How long a pending verdict's job stays with this process before another may take it over.
    static func lateLease(_ llm: LLMModerator?) -> TimeInterval {
        guard let llm else { return 60 }
        return LLMModerator.seconds(llm.analyzer.client.configuration.callDeadline) + 30
    }

    /// Writes a verdict that came after its decision: its actions (points, ladder, log with the analysis)
    /// and an `llm_verdict` event carrying a decision of the usual shape, in one transaction with the
    /// job's completion, so each verdict is delivered exactly once even with several processes.
    func writeLateVerdict(job: Int64, message: DiscordMessage, result: Result<AIAnalysis, LLMError>, ticket: QuotaGate.Ticket?) async throws {
        let context = try await guilds.context(for: message.guildID)
        let now = clockNow()
        let rules = context.rules.aiRules(for: message)
        let (matches, note, analysis): ([RuleMatch], String, AIAnalysis?) = switch result {
        case .success(let answer):
            (AIVerdict.matches(for: answer, rules: rules), "done", answer)
        case .failure(let error):
            { () -> ([RuleMatch], String, AIAnalysis?) in
                let (text, match) = Self.unjudged(error, policy: context.policy, rules: rules)
                return (match.map { [$0] } ?? [], text, nil)
            }()
        }
        let refund: Bool = if case .failure(let error) = result { !error.modelAnswered } else { false }
        try await database.transaction { conn in
            guard try JobRepository.finish(on: conn, id: job, at: now) else { return }
            // Refunded here, with the job's completion, so a call is given back at most once.
            if refund, let ticket {
                try QuotaRepository.refund(on: conn, user: ticket.user, guild: ticket.guild, day: ticket.day)
            }
            var decision: Decision
            if matches.isEmpty {
                decision = Decider.decide(message: message, matches: [], failures: [], escalation: nil, step: nil, policy: context.policy, now: now)
                decision.analysis = analysis
            } else {
                try AutomodRepository.lockUser(on: conn, guild: message.guildID.int64, user: message.author.id.int64)
                decision = try Self.recordViolation(message, matches: matches, failures: [], context: context, analysis: analysis,
                                                    evaluationMillis: analysis?.latencyMillis ?? 0, now: now, on: conn) { $0.stages["llm"] = note }
            }
            decision.stages["llm"] = note
            _ = try EventRepository.append(on: conn, guild: message.guildID.int64, kind: LLMModerator.eventKind,
                                           payloadJSON: try Self.json(decision), at: now)
        }
    }
}
