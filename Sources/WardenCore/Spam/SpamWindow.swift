import Foundation

/// The rule arithmetic: sliding-window totals over a member's history plus the current message.
enum SpamWindow {
    /// (signal slot, kept slot) of every summed detector, read from the table once.
    static let summedSlots: [(signal: Int, kept: Int)] = SpamDetector.allCases.compactMap { detector in
        let spec = detector.spec
        guard case .summed(let kept) = spec.measure, let signal = spec.signal else { return nil }
        return (signal, kept)
    }

    /// Hits of `rules` for message `s`, given the member's history (sorted by timestamp, logical
    /// record 0 oldest). When `redelivered`, the message is already in the history and is not added.
    ///
    /// A windowed rule triggers when the total over messages with timestamp in (t - window, t] reaches
    /// its threshold, and only when this message itself adds to that total: a clean message after a
    /// burst of mentions is not a mention hit (rate always adds 1; an empty text adds nothing to
    /// duplicates). Allocates only when there is a hit.
    ///
    /// Each rule carries its detector's measure and slots (`SpamRule`), so this loop switches over four
    /// measures and indexes fixed arrays; it knows no detector by name.
    static func hits(
        for s: SpamSignals, rules: [SpamRule], history: UnsafeBufferPointer<SpamRecord>, start: Int, stored: Int,
        redelivered: Bool, nearDistance: Int, minLongLength: Int
    ) -> [SpamHit] {
        var hits: [SpamHit] = []
        let t = s.timestamp
        let hasText = s.hasText
        let currentLong = hasText && s.textLength >= minLongLength
        for rule in rules {
            let threshold = max(1, rule.threshold)
            let own: Int
            switch rule.measure {
            case .perMessage:
                let value = s.counts[rule.signal]
                if value >= threshold {
                    hits.append(SpamHit(ruleID: rule.id, detector: rule.detector, observed: value,
                                        threshold: rule.threshold, windowSeconds: rule.windowSeconds))
                }
                continue
            case .rate: own = 1
            case .duplicates: own = hasText ? 1 : 0
            case .summed: own = s.counts[rule.signal]
            }
            if own <= 0 { continue }
            var total = redelivered ? 0 : own
            let lower = t - rule.windowSeconds
            let channelOnly = rule.scope == .channel
            // Newest first: skip records later than this message (it arrived late), stop at the first
            // one at or before the window's start, since the history is sorted.
            var j = stored - 1
            while j >= 0 {
                var p = start + j
                if p >= history.count { p -= history.count }
                j -= 1
                let r = history[p]
                if r.timestamp > t { continue }
                if !(r.timestamp > lower) { break }
                if channelOnly && r.channelID != s.channelID { continue }
                switch rule.measure {
                case .rate: total += 1
                case .duplicates:
                    if r.contentHash != 0
                        && (r.contentHash == s.contentHash
                            || (currentLong && r.longText && SimHash.distance(r.simhash, s.simhash) <= nearDistance)) {
                        total += 1
                    }
                case .summed(let kept): total += Int(r.kept[kept])
                case .perMessage: break
                }
            }
            if total >= threshold {
                hits.append(SpamHit(ruleID: rule.id, detector: rule.detector, observed: total,
                                    threshold: rule.threshold, windowSeconds: rule.windowSeconds))
            }
        }
        return hits
    }
}
