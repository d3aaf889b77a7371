import Foundation
import Synchronization
import WardenCore
import WardenPipeline

/// Group commit for single-message requests: messages that arrive while a batch is being written wait
/// and go together in the next transaction, so the store pays one commit per batch, not per message,
/// and a request is answered only once its decision is durable. Up to `lanes` batches are written at
/// once (1 suits SQLite's single writer; PostgreSQL gains from a few).
public final class MessageIntake: Sendable {
    public let pipeline: MessagePipeline
    let metrics: ServiceMetrics?
    let maxBatch: Int
    let lanes: Int

    private struct Waiting {
        let message: DiscordMessage
        let arrived: ContinuousClock.Instant
        let continuation: CheckedContinuation<ProcessedMessage, any Error>
    }

    private struct State {
        var queue: [Waiting] = []
        var running = 0
        var closed = false
    }

    private let state = Mutex(State())

    public init(pipeline: MessagePipeline, metrics: ServiceMetrics? = nil, maxBatch: Int = 256, lanes: Int = 1) {
        self.pipeline = pipeline; self.metrics = metrics
        self.maxBatch = max(1, maxBatch); self.lanes = max(1, lanes)
    }

    /// Judges one message; returns once its decision is committed.
    public func submit(_ message: DiscordMessage) async throws -> ProcessedMessage {
        try await withCheckedThrowingContinuation { continuation in
            let (startLane, refused) = state.withLock { state -> (Bool, Bool) in
                if state.closed { return (false, true) }
                state.queue.append(Waiting(message: message, arrived: .now, continuation: continuation))
                guard state.running < lanes else { return (false, false) }
                state.running += 1
                return (true, false)
            }
            if refused {
                continuation.resume(throwing: IntakeClosed())
            } else if startLane {
                Task { await self.drain() }
            }
        }
    }

    /// Messages waiting for a commit.
    public var depth: Int { state.withLock { $0.queue.count } }

    /// Refuses new messages and waits until every accepted one is answered (graceful shutdown).
    public func close() async {
        state.withLock { $0.closed = true }
        while state.withLock({ $0.running > 0 || !$0.queue.isEmpty }) {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    /// One lane: takes whatever is queued (up to `maxBatch`), writes it, answers it; stops when the queue is empty.
    private func drain() async {
        while true {
            let batch = state.withLock { state -> [Waiting] in
                guard !state.queue.isEmpty else {
                    state.running -= 1
                    return []
                }
                let count = min(state.queue.count, maxBatch)
                let batch = Array(state.queue.prefix(count))
                state.queue.removeFirst(count)
                return batch
            }
            guard !batch.isEmpty else { return }
            await write(batch)
        }
    }

    private func write(_ batch: [Waiting]) async {
        let started = ContinuousClock.now
        if let metrics {
            for item in batch { metrics.queueWait.record(started - item.arrived) }
            metrics.batchSize.record(Double(batch.count))
            metrics.intakeDepth.set(Double(depth))
        }
        // Each message gets its own result: one message or guild at fault does not fail the others.
        let results = await pipeline.processEach(batch.map(\.message))
        metrics?.commit.record(ContinuousClock.now - started)
        for (item, result) in zip(batch, results) {
            switch result {
            case .success(let processed):
                metrics?.record(processed)
                item.continuation.resume(returning: processed)
            case .failure(let error):
                item.continuation.resume(throwing: error)
            }
        }
    }
}

/// The intake is shutting down and takes no new messages.
struct IntakeClosed: ServiceError {
    var httpStatus: Int { 503 }
    var code: String { "shutting_down" }
    var message: String { "the service is shutting down; send the message to another instance or again later" }
    var retryAfter: Int? { 1 }
}
