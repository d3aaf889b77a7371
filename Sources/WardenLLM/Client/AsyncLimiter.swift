import Synchronization

/// At most `limit` holders at once; the rest wait in arrival order without blocking a thread.
/// Cancelling a waiter removes it from the queue.
final class AsyncLimiter: Sendable {
    private struct State {
        var available: Int
        var nextID: UInt64 = 0
        var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
    }
    private let state: Mutex<State>

    init(limit: Int) { state = Mutex(State(available: max(1, limit))) }

    func acquire() async throws {
        try Task.checkCancellation()
        let id: UInt64? = state.withLock { s in
            if s.available > 0 { s.available -= 1; return nil }
            s.nextID += 1
            return s.nextID
        }
        guard let id else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                // Decided under the lock: a slot freed since the first look is taken here, not missed.
                enum Next { case cancel, go, wait }
                let next = state.withLock { s -> Next in
                    if Task.isCancelled { return .cancel }
                    if s.available > 0 { s.available -= 1; return .go }
                    s.waiters.append((id, continuation))
                    return .wait
                }
                switch next {
                case .cancel: continuation.resume(throwing: CancellationError())
                case .go: continuation.resume()
                case .wait: break
                }
            }
        } onCancel: {
            let waiter = state.withLock { s -> CheckedContinuation<Void, any Error>? in
                guard let index = s.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return s.waiters.remove(at: index).continuation
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    func release() {
        let next = state.withLock { s -> CheckedContinuation<Void, any Error>? in
            if s.waiters.isEmpty { s.available += 1; return nil }
            return s.waiters.removeFirst().continuation
        }
        next?.resume()
    }

    /// Calls waiting for a slot (a queue depth for metrics).
    var waiting: Int { state.withLock { $0.waiters.count } }
}
