import Foundation
import WardenStore

/// One kind of durable work (a ticket summary, an FAQ draft, a screenshot check, a late LLM verdict), run by
/// `JobRunner`. Each kind is one handler; the runner leases jobs of every registered kind from the `jobs`
/// table, so there is one runner per process whatever the kinds.
///
/// Delivery is at least once: a worker that dies mid-job loses the lease, and another worker runs the job
/// again. A handler therefore writes its results and completes the job (`JobRepository.complete` or
/// `finish`) in ONE transaction, and writes nothing when that returns false (someone else finished it):
/// the model may be asked twice, the results are written once.
public protocol JobHandler: Sendable {
    /// The `jobs.kind` this handler runs.
    var kind: String { get }
    /// How long a leased job of this kind is the runner's, when it must differ from the runner's own
    /// lease (nil: the runner's). Longer than a job of this kind can take, or another runner starts it again.
    var lease: TimeInterval? { get }
    /// Runs one leased job. Returning means the job is finished (completed by the handler, or found already
    /// done). Throwing `JobFailure` asks the worker to retry later (or to give up, per its policy).
    func run(_ job: JobRepository.Job) async throws

    /// Called when the worker gives a job up for good (a bad payload, or a non-outage failure past the
    /// attempt limit), so the handler can leave its rows in a state people see.
    func gaveUp(_ job: JobRepository.Job, reason: String) async throws

    /// Periodic upkeep, run by the worker once per pass (e.g. expiring overdue proposals).
    func housekeeping() async throws
}

extension JobHandler {
    public var lease: TimeInterval? { nil }
    public func gaveUp(_ job: JobRepository.Job, reason: String) async throws {}
    public func housekeeping() async throws {}
}

/// A job that did not finish this time.
public struct JobFailure: Error, Sendable, CustomStringConvertible {
    /// What went wrong, without member data (stored in `jobs.last_error`).
    public var message: String
    /// false: retrying cannot help (bad payload); the job is failed for good at once.
    public var retryable: Bool
    /// The provider could not be reached or did not answer (timeouts, 5xx, 429, open circuit): retried for as
    /// long as it lasts, never given up, so an outage loses nothing.
    public var outage: Bool

    public init(_ message: String, retryable: Bool = true, outage: Bool = false) {
        self.message = message; self.retryable = retryable; self.outage = outage
    }
    public var description: String { message }
}
