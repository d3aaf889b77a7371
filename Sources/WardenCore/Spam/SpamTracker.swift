import Foundation
import Synchronization

/// Sliding-window spam detection for the `spam` stage: remembers each member's newest messages and
/// evaluates `spam` rules against them.
///
/// **State.** One entry per (guild, user): a fixed-capacity ring of that member's newest
/// `historyPerUser` messages (48 bytes each), sorted by message timestamp. Channel-scoped rules filter
/// this ring by channel, so both scopes share one entry and one lookup. Windowed totals therefore see at
/// most `historyPerUser` messages: size it at least as large as the largest `rate`/`duplicates`
/// threshold (32 by default).
///
/// **Memory bound.** At most `maxTrackedUsers` entries (rounded down to a multiple of the shard count)
/// × `approximateBytesPerUser` (≈1.6 KB at the default history of 32) — about 330 MB for the default
/// 200,000 members, plus a few KB per shard. Entries idle for more than `idleSeconds` of message time
/// are evicted lazily, a few per call, when their shard sees newer messages; past the bound a shard
/// evicts its least recently active entry. Evicted ring buffers are reused, not freed.
///
/// **Concurrency.** Entries are spread over `shardCount` shards by a hash of (guild, user), each shard
/// behind its own `Mutex`: different members rarely contend, and one member's messages are serialized,
/// so concurrent calls for the same member stay consistent. There is no global lock.
///
/// **Re-delivery.** A message id already in the member's remembered history is not counted again. Once
/// it has left the history (ring overflow, idle or capacity eviction) a re-delivery is counted as new;
/// the store's per-message idempotency catches that case.
public final class SpamTracker: Sendable {
    /// Minimum normalized text length, in characters, of both messages for a SimHash (near-duplicate)
    /// match; shorter texts must match exactly (`contentHash`).
    public static let nearDuplicateMinLength = 12

    /// Default largest SimHash Hamming distance that counts as a near-duplicate.
    ///
    /// Measured with 3-gram SimHash over 20,000 random chat-like sentences per length: one changed
    /// character stays within distance 3 only 7% of the time at 40 characters (27% at 80), because each
    /// edit replaces 3 of ~38 shingles and moves every bit's majority. Within 12 it does 96% (40 chars),
    /// 99.9% (80), 100% (200), while unrelated sentences land within 12 at most 0.04% of the time.
    public static let defaultNearDuplicateDistance = 12

    private let shards: [SpamShard]
    /// Largest SimHash distance counted as a near-duplicate.
    public let nearDuplicateDistance: Int
    /// Messages remembered per member.
    public let historyPerUser: Int
    /// The enforced bound on tracked members (the requested bound rounded down to a multiple of the shard count).
    public let maxTrackedUsers: Int

    /// - maxTrackedUsers: hard bound on tracked (guild,user) entries across all shards; past it the least recently
    ///   active entry of the shard is evicted. - idleSeconds: entries idle longer than this (relative to newer
    ///   message timestamps) are evicted. - historyPerUser: ring buffer capacity per entry (messages remembered).
    /// - nearDuplicateDistance: largest SimHash distance counted as a near-duplicate (see
    ///   `defaultNearDuplicateDistance` for why it is not 3).
    ///
    /// Out-of-range values are clamped rather than trapped: at least one shard, one entry per shard and one
    /// message of history; never more shards than `maxTrackedUsers`, so the bound holds exactly.
    public init(
        shardCount: Int = 64, maxTrackedUsers: Int = 200_000, idleSeconds: Double = 600, historyPerUser: Int = 32,
        nearDuplicateDistance: Int = SpamTracker.defaultNearDuplicateDistance
    ) {
        let bound = max(1, maxTrackedUsers)
        let count = min(max(1, shardCount), bound)
        let perShard = bound / count
        let history = min(max(1, historyPerUser), 65_536)
        shards = (0..<count).map { _ in
            SpamShard(capacity: perShard, historyPerUser: history, idleSeconds: idleSeconds)
        }
        self.maxTrackedUsers = perShard * count
        self.historyPerUser = history
        self.nearDuplicateDistance = nearDuplicateDistance
    }

    /// Evaluates `rules` against one message and remembers it (unless it is a re-delivery).
    ///
    /// Hits come in the order of `rules`. When no rule is windowed (only per-message detectors), nothing is
    /// tracked and `redelivered` is false. A message with a non-finite timestamp is judged on its own and
    /// not remembered.
    public func observe(_ signals: SpamSignals, rules: [SpamRule]) -> SpamObservation {
        var windowed = false
        for rule in rules where rule.measure != .perMessage {
            windowed = true
            break
        }
        guard windowed, signals.timestamp.isFinite else {
            let hits = SpamWindow.hits(
                for: signals, rules: rules, history: UnsafeBufferPointer(start: nil, count: 0), start: 0, stored: 0,
                redelivered: false, nearDistance: nearDuplicateDistance, minLongLength: Self.nearDuplicateMinLength)
            return SpamObservation(hits: hits, redelivered: false)
        }
        let shard = shards[shardIndex(guildID: signals.guildID, userID: signals.userID)]
        let distance = nearDuplicateDistance
        return shard.state.withLock { state in
            state.observe(signals, rules: rules, nearDistance: distance, minLongLength: Self.nearDuplicateMinLength)
        }
    }

    /// Members currently tracked, across all shards (takes each shard's lock in turn; not for the hot path).
    public var trackedUsers: Int {
        var total = 0
        for shard in shards { total += shard.state.withLock { $0.trackedUsers } }
        return total
    }

    /// Approximate bytes held, for the README's memory bound.
    ///
    /// Per entry: the ring (`historyPerUser` × 48-byte records, plus the array header and allocator
    /// overhead), the entry itself, and its share of the dictionary at Swift's 3/4 maximum load factor.
    public var approximateBytesPerUser: Int {
        let ring = historyPerUser * MemoryLayout<SpamRecord>.stride + 32 + 16
        let entry = MemoryLayout<SpamUserEntry>.stride
        let dictionary = (MemoryLayout<SpamUserKey>.stride + MemoryLayout<Int32>.stride) * 4 / 3 + 1
        let freeList = MemoryLayout<Int32>.stride
        return ring + entry + dictionary + freeList
    }

    /// The shard of a member: one well-mixed hash mapped onto the shard count with a multiply-shift
    /// (no division, no power-of-two requirement).
    @inline(__always)
    private func shardIndex(guildID: UInt64, userID: UInt64) -> Int {
        let h = SimHash.mix(guildID, userID)
        return Int(truncatingIfNeeded: h.multipliedFullWidth(by: UInt64(shards.count)).high)
    }
}
