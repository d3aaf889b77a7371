import Foundation

/// Key of one tracked member: a (guild, user) pair. Channel scope filters this member's history by
/// channel instead of keeping a second map, so one lock and one lookup serve both scopes.
struct SpamUserKey: Hashable, Sendable {
    var guildID: UInt64
    var userID: UInt64
}

/// What is remembered of one message: 48 bytes, fixed size, so a member's history is one flat buffer.
///
/// Per-message counts are stored saturated at 255 (`UInt8`): no Discord message has more mentions than
/// that, and a window total built from saturated values only under-counts absurd messages, which the
/// current (unsaturated) message's own value catches anyway.
struct SpamRecord: Sendable {
    /// Slots for the summed detectors' counts (`SpamDetectorSpec.Measure.summed(kept:)`). Seven keep the
    /// record at 48 bytes; an eighth summed detector makes it 56 (update the memory bound in `SpamTracker`).
    static let keptCount = 7

    var timestamp: Double
    var messageID: UInt64
    var channelID: UInt64
    /// 0 when the message had no text.
    var contentHash: UInt64
    var simhash: UInt64
    /// Summed detectors' counts of this message, each at its detector's `kept` slot.
    var kept: InlineArray<7, UInt8>
    /// Text long enough (`SpamTracker.nearDuplicateMinLength`) for SimHash comparison.
    var longText: Bool

    static let empty = SpamRecord(
        timestamp: 0, messageID: 0, channelID: 0, contentHash: 0, simhash: 0, kept: InlineArray(repeating: 0), longText: false)

    init(
        timestamp: Double, messageID: UInt64, channelID: UInt64, contentHash: UInt64, simhash: UInt64,
        kept: InlineArray<7, UInt8>, longText: Bool
    ) {
        self.timestamp = timestamp
        self.messageID = messageID
        self.channelID = channelID
        self.contentHash = contentHash
        self.simhash = simhash
        self.kept = kept
        self.longText = longText
    }

    /// The record of `s`: every summed detector's count moves from its signal slot to its kept slot (saturated).
    init(_ s: SpamSignals, minLongLength: Int) {
        let hasText = s.hasText
        var kept = InlineArray<7, UInt8>(repeating: 0)
        for (signal, slot) in SpamWindow.summedSlots { kept[slot] = UInt8(clamping: s.counts[signal]) }
        self.init(
            timestamp: s.timestamp, messageID: s.messageID, channelID: s.channelID,
            contentHash: hasText ? s.contentHash : 0, simhash: s.simhash, kept: kept,
            longText: hasText && s.textLength >= minLongLength)
    }
}

/// One tracked member: a fixed-capacity ring of their newest messages, sorted by timestamp, plus the
/// links of the shard's least-recently-active list.
///
/// The ring buffer is allocated once when the entry is created and reused when the slot is recycled,
/// so observing a message allocates nothing.
struct SpamUserEntry {
    var key: SpamUserKey
    /// `capacity` records; logical record `i` (0 = oldest) lives at `(start + i) % capacity`.
    var ring: ContiguousArray<SpamRecord>
    var start: Int32 = 0
    var count: Int32 = 0
    /// Newest message timestamp seen for this member (idle eviction compares it with the shard clock).
    var lastSeen: Double
    /// Neighbours in the recency list (-1 = none); `prev` is more recent.
    var prev: Int32 = -1
    var next: Int32 = -1

    init(key: SpamUserKey, capacity: Int, lastSeen: Double) {
        self.key = key
        self.ring = ContiguousArray(repeating: .empty, count: capacity)
        self.lastSeen = lastSeen
    }

    /// Forgets every message, keeping the buffer.
    mutating func reset(key: SpamUserKey, lastSeen: Double) {
        self.key = key
        self.start = 0
        self.count = 0
        self.lastSeen = lastSeen
    }
}

/// Ring operations on a member's history buffer, kept on the raw buffer so the hot loops do no
/// copy-on-write checks.
extension UnsafeMutableBufferPointer where Element == SpamRecord {
    @inline(__always)
    func physical(_ logical: Int, start: Int) -> Int {
        let p = start + logical
        return p >= count ? p - count : p
    }

    /// True when a record with this message id is remembered.
    func containsMessage(_ id: UInt64, start: Int, stored: Int) -> Bool {
        var i = 0
        while i < stored {
            if self[physical(i, start: start)].messageID == id { return true }
            i += 1
        }
        return false
    }

    /// Inserts keeping timestamp order (late messages are shifted into place) and keeps the newest
    /// `count` records: when full, the oldest is dropped, or the new record itself if it is older than
    /// everything remembered. Returns the new (start, stored).
    func insert(_ record: SpamRecord, start: Int, stored: Int) -> (start: Int, stored: Int) {
        var start = start
        var stored = stored
        if stored == count {
            if record.timestamp < self[start].timestamp { return (start, stored) }
            start = physical(1, start: start)
            stored -= 1
        }
        var j = stored
        // Out-of-order arrival is rare and usually by a message or two, so the shift is short.
        while j > 0 {
            let before = physical(j - 1, start: start)
            if self[before].timestamp <= record.timestamp { break }
            self[physical(j, start: start)] = self[before]
            j -= 1
        }
        self[physical(j, start: start)] = record
        return (start, stored + 1)
    }
}
