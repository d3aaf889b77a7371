import Foundation
import WardenCore
import WardenLLM
import WardenStore

extension MessagePipeline {
    /// Runs the LLM stage for the candidates that need it (a guild with `ai` rules that apply, not blocked
    /// already, some text, not processed before), adding its matches and its note to them. Never holds a
    /// message past its guild's deadline counted from `started`.
    func llmStage(_ batch: inout [MessageCandidate], started: ContinuousClock.Instant) async throws {
        var asked: [Int] = []
        for i in batch.indices {
            // Cheap checks first, before anything is copied: most guilds have no ai rules, and this runs for
            // every message.
            let rules = batch[i].context.rules
            guard !rules.aiRules.isEmpty, batch[i].evaluation.skipped == nil, rules.hasAIRule(for: batch[i].evaluation.message) else { continue }
            let candidate = batch[i]
            if llm == nil {
                batch[i].llm = LLMNote("off: no LLM provider is configured, ai rules were not evaluated")
            } else if candidate.evaluation.matches.contains(where: { $0.action.deletesMessage }) {
                batch[i].llm = LLMNote("skipped: already blocked by an earlier stage")
            } else if candidate.message.content.allSatisfy(\.isWhitespace) {
                batch[i].llm = LLMNote("skipped: no text to judge")
            } else {
                asked.append(i)
            }
        }
        guard let llm, !asked.isEmpty else { return }

        // A re-delivery gets its first decision back; asking the model again would spend quota for nothing.
        let keys = asked.map { AutomodRepository.MessageKey(guild: batch[$0].message.guildID.int64, message: batch[$0].message.id.int64) }
        let seen = try await database.transaction { conn in
            try Set(keys.filter { try AutomodRepository.storedDecision(on: conn, guild: $0.guild, message: $0.message) != nil })
        }
        var fresh: [Int] = []
        for (i, key) in zip(asked, keys) where !seen.contains(key) { fresh.append(i) }
        asked = fresh
        guard !asked.isEmpty else { return }
        // One deadline for the batch, the strictest of its guilds: the answer goes out for all of them at once.
        let deadlineMillis = asked.map { batch[$0].context.policy.llmDeadlineMillis }.min() ?? GuildPolicy.defaultLLMDeadlineMillis
        let outcomes = await llm.judge(asked.map { batch[$0].message }, until: started + .milliseconds(deadlineMillis))
        for (i, outcome) in zip(asked, outcomes) {
            let rules = batch[i].context.rules.aiRules(for: batch[i].message)
            let policy = batch[i].context.policy
            switch outcome {
            case .analysed(let analysis):
                batch[i].evaluation.matches += AIKind.matches(for: analysis, rules: rules)
                batch[i].llm = LLMNote("done", analysis: analysis)
            case .denied(let status):
                let limit = status.limit.map(String.init) ?? "unlimited"
                batch[i].llm = LLMNote("skipped: the member's daily LLM quota is used up (\(status.used) of \(limit) today, tier \(status.tier.rawValue))")
            case .pending(let pending):
                batch[i].llm = LLMNote("pending: no verdict within \(deadlineMillis) ms; it follows as an \(LateVerdictJob.eventKind) event",
                                       pending: pending)
            case .failed(let error):
                let unjudged = LLMModerator.unjudged(error, policy: policy, rules: rules)
                if let match = unjudged.match { batch[i].evaluation.matches.append(match) }
                batch[i].llm = LLMNote(unjudged.note)
            case .quotaUnavailable(let reason):
                let unjudged = LLMModerator.outage("quota_unavailable: \(reason)", policy: policy, rules: rules)
                if let match = unjudged.match { batch[i].evaluation.matches.append(match) }
                batch[i].llm = LLMNote(unjudged.note)
            }
        }
    }
}
