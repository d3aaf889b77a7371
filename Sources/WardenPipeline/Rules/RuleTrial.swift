import Foundation
import WardenCore

/// A dry run of rules over messages, in memory: nothing is stored, no points are counted and the LLM
/// stage does not run. The HTTP dry run and `warden rules test` both judge through this, so they agree.
///
/// One trial keeps its own spam windows: messages tried in one trial count towards each other, and never
/// towards the live pipeline's windows.
public struct RuleTrial: Sendable {
    /// What one message came to: the rules' matches and failures, and the decision taken from them.
    public struct Outcome: Sendable {
        public var evaluation: Evaluation
        public var decision: Decision
    }

    /// Recorded in the decision's `stages`, so a dry run's answer cannot be mistaken for a real one.
    public static let stageNote = "nothing stored; no escalation; the llm stage does not run"

    private let evaluator = MessageEvaluator()

    public init() {}

    /// Judges `message` with `rules` and `policy` as the pipeline would, minus escalation and the LLM.
    public func run(_ message: DiscordMessage, rules: CompiledRuleSet, policy: GuildPolicy, now: Date) -> Outcome {
        let evaluation = evaluator.evaluate(message, rules: rules, policy: policy, scratch: .current)
        var decision = Decider.decide(message: message, matches: evaluation.matches, failures: evaluation.failures,
                                      escalation: nil, step: nil, policy: policy, now: now)
        decision.stages["dry_run"] = Self.stageNote
        return Outcome(evaluation: evaluation, decision: decision)
    }
}
