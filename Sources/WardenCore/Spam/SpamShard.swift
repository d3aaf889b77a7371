import Foundation
import Synchronization

/// One of the tracker's shards: its members behind its own lock, so members in different shards never
/// contend. A class because `Mutex` is non-copyable and the tracker keeps its shards in an array;
/// it is `Sendable` because all of its mutable state is inside the `Mutex`.
final class SpamShard: Sendable {
    let state: Mutex<SpamShardState>

    init(capacity: Int, historyPerUser: Int, idleSeconds: Double) {
        state = Mutex(SpamShardState(capacity: capacity, history: historyPerUser, idleSeconds: idleSeconds))
    }
}

/// The members of one shard: a dictionary from key to slot, the slots, and a least-recently-active list
/// threaded through the slots by index (no per-node allocation, O(1) touch and eviction).
struct SpamShardState {
    /// Hard bound on entries in this shard.
    let capacity: Int
    let history: Int
    let idleSeconds: Double

    private(set) var index: [SpamUserKey: Int32] = [:]
    private var entries: [SpamUserEntry] = []
    /// Slots freed by idle eviction, reused (with their ring buffers) before new slots are created.
    private var free: [Int32] = []
    /// Most and least recently active slots (-1 when empty).
    private var head: Int32 = -1
    private var tail: Int32 = -1
    /// Newest message timestamp seen by this shard; idleness is measured against message time, not the
    /// wall clock, so replays behave the same.
    private var clock: Double = -.infinity

    /// Idle entries evicted per observation at most, so one call never pays for a long sweep; the
    /// rest go on later calls (and the hard bound holds regardless).
    private static let idleEvictionsPerCall = 4

    init(capacity: Int, history: Int, idleSeconds: Double) {
        self.capacity = capacity
        self.history = history
        self.idleSeconds = idleSeconds
    }

    var trackedUsers: Int { index.count }

    /// Evaluates `rules` for one message and, unless it is a re-delivery, remembers it.
    mutating func observe(_ s: SpamSignals, rules: [SpamRule], nearDistance: Int, minLongLength: Int) -> SpamObservation {
        if s.timestamp > clock { clock = s.timestamp }
        evictIdle()
        let key = SpamUserKey(guildID: s.guildID, userID: s.userID)
        let slot: Int
        if let found = index[key] {
            slot = Int(found)
            moveToFront(slot)
            if s.timestamp > entries[slot].lastSeen { entries[slot].lastSeen = s.timestamp }
        } else {
            slot = allocate(key, lastSeen: s.timestamp)
        }
        var start = Int(entries[slot].start)
        var stored = Int(entries[slot].count)
        let observation = entries[slot].ring.withUnsafeMutableBufferPointer { ring -> SpamObservation in
            let redelivered = ring.containsMessage(s.messageID, start: start, stored: stored)
            let hits = SpamWindow.hits(
                for: s, rules: rules, history: UnsafeBufferPointer(ring), start: start, stored: stored,
                redelivered: redelivered, nearDistance: nearDistance, minLongLength: minLongLength)
            if !redelivered {
                (start, stored) = ring.insert(SpamRecord(s, minLongLength: minLongLength), start: start, stored: stored)
            }
            return SpamObservation(hits: hits, redelivered: redelivered)
        }
        entries[slot].start = Int32(truncatingIfNeeded: start)
        entries[slot].count = Int32(truncatingIfNeeded: stored)
        return observation
    }

    // MARK: - Slots and the recency list

    /// A slot for a new member: a freed one, a new one while under capacity, else the least recently
    /// active member's (evicted).
    private mutating func allocate(_ key: SpamUserKey, lastSeen: Double) -> Int {
        let slot: Int
        if index.count >= capacity, tail >= 0 {
            slot = Int(tail)
            index.removeValue(forKey: entries[slot].key)
            unlink(slot)
            entries[slot].reset(key: key, lastSeen: lastSeen)
        } else if let reused = free.popLast() {
            slot = Int(reused)
            entries[slot].reset(key: key, lastSeen: lastSeen)
        } else {
            slot = entries.count
            entries.append(SpamUserEntry(key: key, capacity: history, lastSeen: lastSeen))
        }
        index[key] = Int32(truncatingIfNeeded: slot)
        pushFront(slot)
        return slot
    }

    /// Evicts a few of the least recently active entries whose newest message is older than the
    /// shard's newest message by more than `idleSeconds`.
    private mutating func evictIdle() {
        let cutoff = clock - idleSeconds
        var budget = Self.idleEvictionsPerCall
        while budget > 0, tail >= 0 {
            let slot = Int(tail)
            guard entries[slot].lastSeen < cutoff else { return }
            index.removeValue(forKey: entries[slot].key)
            unlink(slot)
            free.append(Int32(truncatingIfNeeded: slot))
            budget -= 1
        }
    }

    private mutating func unlink(_ slot: Int) {
        let prev = entries[slot].prev
        let next = entries[slot].next
        if prev >= 0 { entries[Int(prev)].next = next } else { head = next }
        if next >= 0 { entries[Int(next)].prev = prev } else { tail = prev }
        entries[slot].prev = -1
        entries[slot].next = -1
    }

    private mutating func pushFront(_ slot: Int) {
        entries[slot].prev = -1
        entries[slot].next = head
        if head >= 0 { entries[Int(head)].prev = Int32(truncatingIfNeeded: slot) }
        head = Int32(truncatingIfNeeded: slot)
        if tail < 0 { tail = head }
    }

    private mutating func moveToFront(_ slot: Int) {
        guard head != Int32(truncatingIfNeeded: slot) else { return }
        unlink(slot)
        pushFront(slot)
    }
}
