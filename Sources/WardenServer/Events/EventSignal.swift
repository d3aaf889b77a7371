import Synchronization

/// Wakes the long-polls waiting on a guild's events feed when another instance (or this one) tells the store
/// it appended an event (`StoreChannel.events`). A reader takes the guild's generation before it reads the
/// store, and waits only while that generation is current, so an event signalled between its read and its
/// wait is not missed.
public final class EventSignal: Sendable {
    private struct Waiter {
        let generation: UInt64
        let continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var generations: [Int64: UInt64] = [:]
        var waiters: [Int64: [Int: Waiter]] = [:]
        var nextID = 0
        /// Waiters ended (timed out) before they were parked.
        var ended: Set<Int> = []
        var everything: UInt64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// The guild's current generation (it changes with every signal for the guild, or for all).
    public func generation(of guild: Int64) -> UInt64 {
        state.withLock { ($0.generations[guild] ?? 0) &+ $0.everything }
    }

    /// Wakes every reader of `guild` (every reader of every guild when nil).
    public func signal(_ guild: Int64?) {
        let woken = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            if let guild {
                state.generations[guild, default: 0] &+= 1
                return (state.waiters.removeValue(forKey: guild) ?? [:]).values.map(\.continuation)
            }
            state.everything &+= 1
            let all = state.waiters.values.flatMap { $0.values.map(\.continuation) }
            state.waiters.removeAll()
            return all
        }
        for continuation in woken { continuation.resume() }
    }

    /// Waits until `guild` is signalled after `generation`, or `timeout` passes (or the task is cancelled).
    public func wait(for guild: Int64, after generation: UInt64, timeout: Duration) async {
        let id = state.withLock { state -> Int in state.nextID += 1; return state.nextID }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: timeout) }
            group.addTask {
                await withCheckedContinuation { continuation in
                    let now = self.state.withLock { state -> Bool in
                        if state.ended.remove(id) != nil { return true }
                        if (state.generations[guild] ?? 0) &+ state.everything != generation { return true }
                        state.waiters[guild, default: [:]][id] = Waiter(generation: generation, continuation: continuation)
                        return false
                    }
                    if now { continuation.resume() }
                }
            }
            await group.next()
            group.cancelAll()
            // The waiter, if still parked, is let go; if not yet parked, it will not park.
            let parked = state.withLock { state -> CheckedContinuation<Void, Never>? in
                if let waiter = state.waiters[guild]?.removeValue(forKey: id) { return waiter.continuation }
                state.ended.insert(id)
                return nil
            }
            parked?.resume()
            await group.waitForAll()
            state.withLock { _ = $0.ended.remove(id) }
        }
    }
}
