import Foundation

/// The rule arithmetic: sliding-window totals over a member's history plus the current message.
enum SpamWindow {
    /// Hits of `rules` for message `s`, given the member's history (sorted by timestamp, logical
    /// record 0 oldest). When `redelivered`, the message is already in the history and is not added.
    ///
    /// A windowed rule triggers when the total over messages with timestamp in (t - window, t] reaches
    /// its threshold, and only when this message itself adds to that total: a clean message after a
    /// burst of mentions is not a mention hit (rate always adds 1; an empty text adds nothing to
    /// duplicates). Allocates only when there is a hit.
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
            switch rule.detector {
            case .lines, .characters:
                let value = rule.detector == .lines ? s.lines : s.longestCharRun
                if value >= threshold {
                    hits.append(SpamHit(ruleID: rule.id, detector: rule.detector, observed: value,
                                        threshold: rule.threshold, windowSeconds: rule.windowSeconds))
                }
                continue
            case .rate: own = 1
            case .duplicates: own = hasText ? 1 : 0
            case .mentions: own = s.mentions
            case .links: own = s.links
            case .invites: own = s.invites
            case .attachments: own = s.attachments
            case .emoji: own = s.emoji
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
                switch rule.detector {
                case .rate: total += 1
                case .duplicates:
                    if r.contentHash != 0
                        && (r.contentHash == s.contentHash
                            || (currentLong && r.longText && SimHash.distance(r.simhash, s.simhash) <= nearDistance)) {
                        total += 1
                    }
                case .mentions: total += Int(r.mentions)
                case .links: total += Int(r.links)
                case .invites: total += Int(r.invites)
                case .attachments: total += Int(r.attachments)
                case .emoji: total += Int(r.emoji)
                case .lines, .characters: break
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
