import Foundation
import WardenCore
import WardenLLM

/// What the LLM stage says about one message: the note for `decision.stages["llm"]`, the analysis when
/// the model answered in time, and the verdict still on its way when it did not.
struct LLMNote: Sendable {
    var state: String
    var analysis: AIAnalysis?
    var pending: PendingVerdict?

    init(_ state: String, analysis: AIAnalysis? = nil, pending: PendingVerdict? = nil) {
        self.state = state; self.analysis = analysis; self.pending = pending
    }
}

/// A model call that missed the deadline: the work still running, the quota it was charged to, and the
/// durable job that stands for it once the decision is written (so a crash loses nothing).
struct PendingVerdict: Sendable {
    let work: Task<Result<AIAnalysis, LLMError>, Never>
    let ticket: QuotaGate.Ticket?
    /// The job's payload (`LateVerdictJob.Payload`) and its dedupe key.
    let jobPayload: String
    let dedupeKey: String
    /// How long the job stays with this process before another may take it over.
    let lease: TimeInterval
}

/// A verdict that came after its decision, ready to be written: its matches, the note, the analysis, and
/// the quota ticket to give back when the model never answered.
struct LateVerdict: Sendable {
    let matches: [RuleMatch]
    let note: String
    let analysis: AIAnalysis?
    let refund: QuotaGate.Ticket?
}
