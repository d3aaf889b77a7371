import Foundation
import WardenStore

/// One kind of durable support work (a summary, an FAQ draft, a screenshot check), run by `SupportWorker`.
///
/// Delivery is at least once: a worker that dies mid-job loses the lease, and another worker runs the job
/// again. A handler therefore writes its results and `JobRepository.complete`s the job in ONE transaction,
/// and writes nothing when `complete` returns false (someone else finished it): the model may be asked
/// twice, the results are written once.
public protocol SupportJob: Sendable {
    /// The `jobs.kind` this handler runs.
    var kind: String { get }
    /// Runs one leased job. Returning means the job is finished (completed by the handler, or found already
    /// done). Throwing `SupportJobFailure` asks the worker to retry later (or to give up, per its policy).
    func run(_ job: JobRepository.Job) async throws

    /// Called when the worker gives a job up for good (a bad payload, or a non-outage failure past the
    /// attempt limit), so the handler can leave its rows in a state people see.
    func gaveUp(_ job: JobRepository.Job, reason: String) async throws

    /// Periodic upkeep, run by the worker once per pass (e.g. expiring overdue proposals).
    func housekeeping() async throws
}

extension SupportJob {
    public func gaveUp(_ job: JobRepository.Job, reason: String) async throws {}
    public func housekeeping() async throws {}
}

/// A job that did not finish this time.
public struct SupportJobFailure: Error, Sendable, CustomStringConvertible {
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

/// Payload helpers: job payloads are small JSON objects with ids as strings (64-bit ids do not survive
/// JSON numbers as doubles).
enum JobPayload {
    static func encode(_ fields: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? String(decoding: encoder.encode(fields), as: UTF8.self)) ?? "{}"
    }

    static func decode(_ job: JobRepository.Job) throws(SupportJobFailure) -> [String: String] {
        guard let fields = try? JSONDecoder().decode([String: String].self, from: Data(job.payloadJSON.utf8)) else {
            throw SupportJobFailure("job \(job.id) (\(job.kind)): payload is not an object of strings", retryable: false)
        }
        return fields
    }

    static func id(_ fields: [String: String], _ name: String, job: JobRepository.Job) throws(SupportJobFailure) -> Int64 {
        guard let text = fields[name], let value = Int64(text) else {
            throw SupportJobFailure("job \(job.id) (\(job.kind)): payload field \(name) is missing or not an integer", retryable: false)
        }
        return value
    }
}
