import Foundation
import Testing
@testable import WardenCore

/// Builds signals the way the pipeline does: hashes from the text, counts from the arguments.
private func message(
    _ id: UInt64, at t: Double, user: UInt64 = 1, channel: UInt64 = 10, guild: UInt64 = 100,
    text: String = "", mentions: Int = 0, links: Int = 0, invites: Int = 0, attachments: Int = 0, emoji: Int = 0,
    lines: Int = 1, longestCharRun: Int = 1
) -> SpamSignals {
    var text = text
    let (content, sim) = text.withUTF8 { (SimHash.contentHash($0), SimHash.of($0)) }
    return SpamSignals(
        guildID: guild, userID: user, channelID: channel, messageID: id, timestamp: t,
        contentHash: content, simhash: sim, textLength: text.count,
        mentions: mentions, links: links, invites: invites, attachments: attachments, emoji: emoji,
        lines: lines, longestCharRun: longestCharRun, characters: text.count)
}

private func rule(_ detector: SpamDetector, _ threshold: Int, window: Double = 10, scope: SpamScope = .user, id: Int = 1) -> SpamRule {
    SpamRule(id: id, detector: detector, threshold: threshold, windowSeconds: window, scope: scope)
}

private func simhash(_ s: String) -> UInt64 {
    var s = s
    return s.withUTF8 { SimHash.of($0) }
}

@Suite struct SpamDetectorTests {
    @Test func perMessageFlag() {
        #expect(SpamDetector.allCases.filter(\.isPerMessage) == [.lines, .characters, .caps])
    }

    /// The table's slots: every detector that reads a count has its own signal slot, every summed one its
    /// own kept slot, all within the fixed arrays. A new row that reuses a slot fails here.
    @Test func tableSlotsAreDistinctAndFit() {
        var signals = Set<Int>(), kept = Set<Int>()
        for detector in SpamDetector.allCases {
            let spec = detector.spec
            switch spec.measure {
            case .rate, .duplicates:
                #expect(spec.signal == nil, "\(detector) reads no count")
            case .perMessage, .summed:
                if let signal = spec.signal {
                    #expect((0..<SpamSignals.slotCount).contains(signal) && signals.insert(signal).inserted, "\(detector)")
                } else {
                    Issue.record("\(detector) needs a signal slot")
                }
                #expect(spec.read != nil, "\(detector) needs a reader")
            }
            if case .summed(let slot) = spec.measure {
                #expect((0..<SpamRecord.keptCount).contains(slot) && kept.insert(slot).inserted, "\(detector)")
            }
        }
    }

    @Test(arguments: [SpamDetector.mentions, .links, .invites, .attachments, .emoji, .stickers])
    func summedDetectorTriggersAtThreshold(_ detector: SpamDetector) {
        let tracker = SpamTracker()
        let rules = [rule(detector, 5)]
        func one(_ id: UInt64, _ t: Double, value: Int) -> SpamSignals {
            var s = message(id, at: t, text: "msg \(id)")
            s[detector] = value
            return s
        }
        // 2 + 2 = 4 = threshold - 1: no hit.
        #expect(tracker.observe(one(1, 0, value: 2), rules: rules).hits.isEmpty)
        #expect(tracker.observe(one(2, 1, value: 2), rules: rules).hits.isEmpty)
        // + 1 = 5: hit, observed is the window total.
        let hit = tracker.observe(one(3, 2, value: 1), rules: rules).hits
        #expect(hit == [SpamHit(ruleID: 1, detector: detector, observed: 5, threshold: 5, windowSeconds: 10)])
        // One message alone over the threshold triggers at once (another user).
        let big = one(4, 3, value: 10)
        var alone = SpamSignals(guildID: big.guildID, userID: 2, channelID: big.channelID, messageID: 4, timestamp: 3,
                                contentHash: big.contentHash, simhash: big.simhash, textLength: big.textLength,
                                lines: 1, longestCharRun: 1, characters: 5)
        alone[detector] = big[detector]
        #expect(tracker.observe(alone, rules: [rule(detector, 8)]).hits.map(\.observed) == [10])
    }

    @Test func summedDetectorNeedsThisMessageToContribute() {
        let tracker = SpamTracker()
        let rules = [rule(.mentions, 3)]
        #expect(tracker.observe(message(1, at: 0, mentions: 3), rules: rules).hits.count == 1)
        // The window still holds 3 mentions, but a clean message is not mention spam.
        #expect(tracker.observe(message(2, at: 1, mentions: 0), rules: rules).hits.isEmpty)
        #expect(tracker.observe(message(3, at: 2, mentions: 1), rules: rules).hits.map(\.observed) == [4])
    }

    @Test func rateTriggersAtThreshold() {
        let tracker = SpamTracker()
        let rules = [rule(.rate, 3, window: 5)]
        #expect(tracker.observe(message(1, at: 0), rules: rules).hits.isEmpty)
        #expect(tracker.observe(message(2, at: 1), rules: rules).hits.isEmpty)
        #expect(tracker.observe(message(3, at: 2), rules: rules).hits.map(\.observed) == [3])
    }

    @Test func duplicatesTriggerOnTheFourthIdentical() {
        let tracker = SpamTracker()
        let rules = [rule(.duplicates, 4, window: 30)]
        for i in 1...3 {
            #expect(tracker.observe(message(UInt64(i), at: Double(i), text: "buy cheap gold"), rules: rules).hits.isEmpty)
        }
        // A different message in between does not count and does not trigger.
        #expect(tracker.observe(message(9, at: 4, text: "what time is the event?"), rules: rules).hits.isEmpty)
        #expect(tracker.observe(message(4, at: 5, text: "buy cheap gold"), rules: rules).hits.map(\.observed) == [4])
    }

    @Test func emptyTextIsNeverADuplicate() {
        let tracker = SpamTracker()
        let rules = [rule(.duplicates, 2, window: 30)]
        for i in 1...4 {
            #expect(tracker.observe(message(UInt64(i), at: Double(i), attachments: 1), rules: rules).hits.isEmpty)
        }
    }

    @Test func linesAndCharactersArePerMessage() {
        let tracker = SpamTracker()
        let rules = [rule(.lines, 5, id: 7), rule(.characters, 10, id: 8)]
        #expect(tracker.observe(message(1, at: 0, lines: 4, longestCharRun: 9), rules: rules).hits.isEmpty)
        let hits = tracker.observe(message(2, at: 1, lines: 5, longestCharRun: 10), rules: rules).hits
        #expect(hits == [
            SpamHit(ruleID: 7, detector: .lines, observed: 5, threshold: 5, windowSeconds: 10),
            SpamHit(ruleID: 8, detector: .characters, observed: 10, threshold: 10, windowSeconds: 10),
        ])
        // Per-message: the earlier message does not add up.
        #expect(tracker.observe(message(3, at: 2, lines: 4, longestCharRun: 9), rules: rules).hits.isEmpty)
        // Nothing windowed: nothing tracked.
        #expect(tracker.trackedUsers == 0)
    }
}

@Suite struct SpamWindowTests {
    @Test func windowSlides() {
        let tracker = SpamTracker()
        let rules = [rule(.rate, 3, window: 10)]
        _ = tracker.observe(message(1, at: 0), rules: rules)
        _ = tracker.observe(message(2, at: 5), rules: rules)
        // (0, 10]: the message at 0 is exactly at the window start and no longer counts.
        #expect(tracker.observe(message(3, at: 10), rules: rules).hits.isEmpty)
        // (1, 11]: 5, 10, 11.
        #expect(tracker.observe(message(4, at: 11), rules: rules).hits.map(\.observed) == [3])
        // (20, 30]: all gone.
        #expect(tracker.observe(message(5, at: 30), rules: rules).hits.isEmpty)
    }

    @Test func channelScopeCountsOneChannelUserScopeAll() {
        let tracker = SpamTracker()
        let rules = [rule(.rate, 3, scope: .channel, id: 1), rule(.rate, 3, scope: .user, id: 2)]
        #expect(tracker.observe(message(1, at: 0, channel: 10), rules: rules).hits.isEmpty)
        #expect(tracker.observe(message(2, at: 1, channel: 10), rules: rules).hits.isEmpty)
        #expect(tracker.observe(message(3, at: 2, channel: 20), rules: rules).hits.map(\.ruleID) == [2])
        #expect(tracker.observe(message(4, at: 3, channel: 10), rules: rules).hits.map(\.ruleID) == [1, 2])
        // Another user in the same channel is counted separately.
        #expect(tracker.observe(message(5, at: 3, user: 2, channel: 10), rules: rules).hits.isEmpty)
        // So is the same user in another guild.
        #expect(tracker.observe(message(6, at: 3, channel: 10, guild: 200), rules: rules).hits.isEmpty)
    }

    @Test func outOfOrderMessagesCountInTheirOwnWindow() {
        let tracker = SpamTracker()
        let rules = [rule(.rate, 1, window: 5)]   // threshold 1: every hit reports the window count
        #expect(tracker.observe(message(1, at: 10), rules: rules).hits.map(\.observed) == [1])
        #expect(tracker.observe(message(2, at: 20), rules: rules).hits.map(\.observed) == [1])
        // Arrives late: its window (7, 12] holds 10 and itself, not the newer 20.
        #expect(tracker.observe(message(3, at: 12), rules: rules).hits.map(\.observed) == [2])
        // (16, 21]: 20 and 21; the late 12 is outside.
        #expect(tracker.observe(message(4, at: 21), rules: rules).hits.map(\.observed) == [2])
        // (9, 14]: 10, 12 (late) and this one, also late.
        #expect(tracker.observe(message(5, at: 14), rules: rules).hits.map(\.observed) == [3])
        // (11, 16]: 12 and 14, which arrived after 20 and 21 but were slotted in by time.
        #expect(tracker.observe(message(6, at: 16), rules: rules).hits.map(\.observed) == [3])
        // (14, 19]: 16 and itself; 14 is at the start (excluded), 20 and 21 are later.
        #expect(tracker.observe(message(7, at: 19), rules: rules).hits.map(\.observed) == [2])
    }

    @Test func redeliveryIsNotCountedTwice() {
        let tracker = SpamTracker()
        let rules = [rule(.rate, 3, window: 60), rule(.mentions, 4, window: 60, id: 2)]
        let first = tracker.observe(message(1, at: 0, mentions: 2), rules: rules)
        #expect(!first.redelivered && first.hits.isEmpty)
        let second = tracker.observe(message(2, at: 1, mentions: 2), rules: rules)
        #expect(second.hits.map(\.ruleID) == [2])
        let again = tracker.observe(message(2, at: 1, mentions: 2), rules: rules)
        #expect(again.redelivered)
        #expect(again.hits == second.hits)
        let againFirst = tracker.observe(message(1, at: 0, mentions: 2), rules: rules)
        #expect(againFirst.redelivered && againFirst.hits.isEmpty)
        // Only two messages were counted: the third distinct one reaches rate 3, mentions 6.
        let third = tracker.observe(message(3, at: 2, mentions: 2), rules: rules)
        #expect(!third.redelivered)
        #expect(third.hits.map(\.observed) == [3, 6])
    }
}

@Suite struct SpamNearDuplicateTests {
    static let base = "hey everyone check out my new server here"   // 41 characters

    @Test func oneChangedCharacterCountsADifferentMessageDoesNot() {
        let tracker = SpamTracker()
        let rules = [rule(.duplicates, 2, window: 30)]
        #expect(tracker.observe(message(1, at: 0, text: Self.base), rules: rules).hits.isEmpty)
        #expect(tracker.observe(message(2, at: 1, text: "did anyone finish the raid last night lol"), rules: rules).hits.isEmpty)
        let near = "hey everyone check out my new servor here"
        #expect(tracker.observe(message(3, at: 2, text: near), rules: rules).hits.map(\.observed) == [2])
    }

    @Test func singleEditsOfA40CharacterMessageAreMostlyWithinTheDistance() {
        let chars = Array(Self.base)
        var within = 0
        for i in chars.indices {
            var edited = chars
            edited[i] = chars[i] == "x" ? "q" : "x"
            if SimHash.distance(simhash(Self.base), simhash(String(edited))) <= SpamTracker.defaultNearDuplicateDistance {
                within += 1
            }
        }
        #expect(Double(within) / Double(chars.count) >= 0.9)
    }

    @Test func shortTextsMustMatchExactly() {
        let tracker = SpamTracker()
        let rules = [rule(.duplicates, 2, window: 30)]
        #expect(tracker.observe(message(1, at: 0, text: "hello there"), rules: rules).hits.isEmpty)
        #expect(tracker.observe(message(2, at: 1, text: "hello therr"), rules: rules).hits.isEmpty)
        #expect(tracker.observe(message(3, at: 2, text: "hello there"), rules: rules).hits.map(\.observed) == [2])
    }

    @Test func simHashBehaviour() {
        let a = simhash(Self.base)
        #expect(a == simhash(Self.base))
        #expect(SimHash.distance(a, a) == 0)
        #expect(SimHash.distance(a, ~a) == 64)
        #expect(SimHash.distance(0b1011, 0b0110) == 3)
        let unrelated = simhash("the quick brown fox jumps over the lazy dog twice")
        #expect(SimHash.distance(a, unrelated) == SimHash.distance(unrelated, a))
        #expect(SimHash.distance(a, unrelated) > SpamTracker.defaultNearDuplicateDistance)
        // Empty text: 0; under 3 bytes: the whole text is hashed (order matters).
        #expect(simhash("") == 0)
        #expect(simhash("ab") != 0 && simhash("ab") != simhash("ba"))
        // Content hash: exact, never 0 for text.
        var empty = "", x = "abc", y = "abd", long = String(repeating: "0123456789", count: 5)
        #expect(empty.withUTF8 { SimHash.contentHash($0) } == 0)
        let hx = x.withUTF8 { SimHash.contentHash($0) }
        #expect(hx != 0 && hx != y.withUTF8 { SimHash.contentHash($0) })
        var long2 = long
        long2.removeLast()
        long2 += "1"
        #expect(long.withUTF8 { SimHash.contentHash($0) } != long2.withUTF8 { SimHash.contentHash($0) })
    }

    /// The bit-sliced counters give exactly the SimHash of its definition: a bit is set when a strict
    /// majority of the shingles' hashes have it (odd and even counts, ties, lengths past 255 and 65,535).
    @Test(arguments: [3, 4, 5, 12, 100, 255, 256, 257, 1_000, 4_099, 70_000])
    func simHashIsTheMajorityOfShingleBits(length: Int) {
        var state: UInt64 = UInt64(length) &* 0x9E37_79B9_7F4A_7C15
        var bytes: [UInt8] = (0..<length).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 59) &+ 0x61   // few distinct bytes: repeated shingles, ties
        }
        if length == 4 { bytes = [0x61, 0x62, 0x61, 0x62] }   // two different shingles: every bit that differs ties
        var counts = [Int](repeating: 0, count: 64)
        for i in 0..<(length - 2) {
            let h = SimHash.shingleHash(bytes[i], bytes[i + 1], bytes[i + 2])
            for bit in 0..<64 where h >> UInt64(bit) & 1 == 1 { counts[bit] += 1 }
        }
        var expected: UInt64 = 0
        for bit in 0..<64 where 2 * counts[bit] > length - 2 { expected |= 1 << UInt64(bit) }
        #expect(bytes.withUnsafeBufferPointer { SimHash.of($0) } == expected)
    }
}

@Suite struct SpamMemoryTests {
    @Test func idleEntriesAreEvicted() {
        let tracker = SpamTracker(shardCount: 1, idleSeconds: 60)
        let rules = [rule(.rate, 2, window: 1_000)]
        _ = tracker.observe(message(1, at: 0, user: 1), rules: rules)
        _ = tracker.observe(message(2, at: 30, user: 2), rules: rules)
        #expect(tracker.trackedUsers == 2)
        // At 100 user 1 (last seen 0) is idle, user 2 (30) too: both go.
        _ = tracker.observe(message(3, at: 100, user: 3), rules: rules)
        #expect(tracker.trackedUsers == 1)
        // User 1's history was forgotten: inside the 1,000 s window but counted from scratch.
        #expect(tracker.observe(message(4, at: 101, user: 1), rules: rules).hits.isEmpty)
        // User 3 was not idle and is still counted.
        #expect(tracker.observe(message(5, at: 102, user: 3), rules: rules).hits.map(\.observed) == [2])
    }

    @Test func hardBoundOnTrackedUsers() {
        let tracker = SpamTracker(maxTrackedUsers: 1_000, idleSeconds: 1e9)
        let rules = [rule(.rate, 2, window: 1e9)]
        for user in 1...10_000 {
            _ = tracker.observe(message(UInt64(user), at: Double(user), user: UInt64(user)), rules: rules)
        }
        #expect(tracker.trackedUsers <= 1_000)
        #expect(tracker.trackedUsers >= 900)
        // The most recent user is still remembered; the first one was evicted.
        #expect(tracker.observe(message(20_000, at: 20_000, user: 10_000), rules: rules).hits.map(\.observed) == [2])
        #expect(tracker.observe(message(20_001, at: 20_001, user: 1), rules: rules).hits.isEmpty)
    }

    @Test func historyIsARing() {
        let tracker = SpamTracker(historyPerUser: 4)
        let rules = [rule(.rate, 1, window: 100)]
        for i in 1...10 {
            _ = tracker.observe(message(UInt64(i), at: Double(i)), rules: rules)
        }
        // Remembers the newest 4 messages: the window total saturates at 4 + this one.
        #expect(tracker.observe(message(11, at: 11), rules: rules).hits.map(\.observed) == [5])
    }

    @Test func bytesPerUser() {
        #expect(MemoryLayout<SpamRecord>.stride == 48)
        let bytes = SpamTracker().approximateBytesPerUser
        #expect(bytes >= 32 * 48 && bytes < 2 * 32 * 48)
    }
}

@Suite struct SpamConcurrencyTests {
    @Test func concurrentObserveKeepsExactCounts() async {
        let tracker = SpamTracker(shardCount: 8)
        let rules = [rule(.rate, 1, window: 1_000)]
        let users = 100, perTask = 5
        // Tasks i and i+4 deliver the same message ids, so every message arrives twice.
        let redelivered = await withTaskGroup(of: Int.self) { group in
            for task in 0..<8 {
                group.addTask {
                    var count = 0
                    for j in 0..<perTask {
                        for user in 1...users {
                            let id = UInt64(user * 1_000 + (task % 4) * 100 + j)
                            let t = Double((task % 4) * perTask + j)
                            if tracker.observe(message(id, at: t, user: UInt64(user)), rules: rules).redelivered {
                                count += 1
                            }
                        }
                    }
                    return count
                }
            }
            return await group.reduce(0, +)
        }
        #expect(redelivered == users * 4 * perTask)
        #expect(tracker.trackedUsers == users)
        for user in 1...users {
            let probe = tracker.observe(message(UInt64(user * 1_000 + 999), at: 100, user: UInt64(user)), rules: rules)
            #expect(probe.hits.map(\.observed) == [4 * perTask + 1])
        }
    }
}
