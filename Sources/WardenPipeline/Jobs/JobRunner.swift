import Foundation
import WardenCore
import WardenStore

/// The one runner of durable jobs: leases due jobs of every registered kind (support work, late LLM verdicts)
/// and runs each with its kind's handler, a few at a time; failed jobs are retried with exponential backoff
/// and given up after `maxAttempts`. Jobs outlive the process: what a dead runner held is leased again once
/// its lease runs out, by this process after a restart or by another one.
public struct JobRunner: Sendable {
    /// Pacing and retry limits.
    public struct Configuration: Sendable {
        /// How long a leased job is ours. Longer than a job takes (the LLM call's deadline plus the writes),
        /// or another worker runs it a second time while the first is still at it.
        public var lease: TimeInterval = 180
        /// Jobs run at the same time.
        public var concurrency: Int = 4
        /// Attempts before a job is failed for good, unless it failed for an outage (retried until it ends).
        public var maxAttempts: Int = 8
        /// Backoff after the first failure; doubles per attempt, with ±20% jitter, capped at `maxBackoff`.
        public var baseBackoff: TimeInterval = 5
        public var maxBackoff: TimeInterval = 600

        public init() {}
    }

    /// What one pass did.
    public struct Pass: Sendable, Equatable {
        public var leased = 0
        public var finished = 0
        public var retried = 0
        public var failed = 0
    }

    public let database: any Database
    public let configuration: Configuration
    private let handlers: [String: any JobHandler]
    /// The kinds grouped by the lease they are leased with, shortest first. Kinds that need a lease of
    /// their own (a late verdict holds its job as long as a model call may take) are leased apart from
    /// those on the runner's lease, within the one concurrency limit.
    private let leaseGroups: [LeaseGroup]
    private let clock: @Sendable () -> Date

    private struct LeaseGroup: Sendable {
        let lease: TimeInterval
        let kinds: [String]
    }

    public init(database: any Database, handlers jobs: [any JobHandler], configuration: Configuration = Configuration(),
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database; self.configuration = configuration; self.clock = clock
        var byKind: [String: any JobHandler] = [:]
        for job in jobs { byKind[job.kind] = job }
        handlers = byKind
        var byLease: [TimeInterval: [String]] = [:]
        for handler in byKind.values { byLease[handler.lease ?? configuration.lease, default: []].append(handler.kind) }
        leaseGroups = byLease.keys.sorted().map { LeaseGroup(lease: $0, kinds: (byLease[$0] ?? []).sorted()) }
    }

    /// The kinds this runner runs.
    public var kinds: [String] { handlers.keys.sorted() }

    /// Leases the jobs due now (up to `concurrency`) and runs them; returns what happened.
    public func runOnce() async throws -> Pass {
        for handler in handlers.values { try await handler.housekeeping() }
        let now = clock()
        let limit = max(1, configuration.concurrency)
        let groups = leaseGroups
        let jobs = try await database.transaction { conn -> [JobRepository.Job] in
            var leased: [JobRepository.Job] = []
            for group in groups where leased.count < limit {
                leased += try JobRepository.lease(on: conn, kinds: group.kinds, limit: limit - leased.count, lease: group.lease, at: now)
            }
            return leased
        }
        var pass = Pass(leased: jobs.count)
        try await withThrowingTaskGroup(of: Outcome.self) { group in
            for job in jobs {
                group.addTask { try await run(job) }
            }
            for try await outcome in group {
                switch outcome {
                case .finished: pass.finished += 1
                case .retried: pass.retried += 1
                case .failed: pass.failed += 1
                }
            }
        }
        return pass
    }

    /// Runs passes until no job is due (jobs waiting for a later retry are left for later passes).
    /// - Returns: the passes' totals.
    @discardableResult
    public func runUntilIdle(maxPasses: Int = .max) async throws -> Pass {
        var total = Pass()
        for _ in 0..<maxPasses {
            try Task.checkCancellation()
            let pass = try await runOnce()
            if pass.leased == 0 { break }
            total.leased += pass.leased; total.finished += pass.finished; total.retried += pass.retried; total.failed += pass.failed
        }
        return total
    }

    /// Runs passes until cancelled, sleeping `idle` when nothing was due.
    public func run(idle: Duration = .seconds(1)) async throws {
        while !Task.isCancelled {
            let pass = try await runOnce()
            if pass.leased == 0 { try await Task.sleep(for: idle) }
        }
    }

    /// How many jobs of the worker's kinds are queued or running.
    public func outstanding() async throws -> Int {
        let kinds = self.kinds
        return try await database.transaction { conn in
            try kinds.reduce(0) { total, kind in
                total + (try JobRepository.count(on: conn, kind: kind, status: "queued"))
                    + (try JobRepository.count(on: conn, kind: kind, status: "running"))
            }
        }
    }

    private enum Outcome: Sendable { case finished, retried, failed }

    private func run(_ job: JobRepository.Job) async throws -> Outcome {
        guard let handler = handlers[job.kind] else {
            try await fail(job, JobFailure("no handler for kind \(job.kind)", retryable: false))
            return .failed
        }
        do {
            try await handler.run(job)
            return .finished
        } catch let failure as JobFailure {
            return try await fail(job, failure)
        } catch let error as StoreError where error == .closed {
            throw error
        } catch {
            // Store errors (a lost connection, a deadlock) and anything unexpected: retry like an outage.
            return try await fail(job, JobFailure(String(describing: error)))
        }
    }

    @discardableResult
    private func fail(_ job: JobRepository.Job, _ failure: JobFailure) async throws -> Outcome {
        let now = clock()
        let giveUp = !failure.retryable || (!failure.outage && job.attempts >= configuration.maxAttempts)
        let retryAt = giveUp ? nil : now.addingTimeInterval(backoff(attempt: job.attempts))
        let message = String(failure.message.prefix(500))
        let recorded = try await database.transaction { conn in
            try JobRepository.fail(on: conn, id: job.id, error: message, retryAt: retryAt, at: now)
        }
        if giveUp, recorded, let handler = handlers[job.kind] { try await handler.gaveUp(job, reason: message) }
        return giveUp ? .failed : .retried
    }

    /// Seconds to wait after the `attempt`-th failure.
    func backoff(attempt: Int) -> TimeInterval {
        let exponent = Double(max(0, min(attempt - 1, 30)))
        let raw = min(configuration.maxBackoff, configuration.baseBackoff * pow(2, exponent))
        return raw * Double.random(in: 0.8...1.2)
    }
}
