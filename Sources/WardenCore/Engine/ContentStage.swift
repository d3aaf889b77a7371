import Foundation
/// The content stage: one literal scan per view finds keyword hits and regex candidates; PCRE2 then
/// runs only the patterns whose required literal occurred (plus the few with none).
public struct ContentStage: Sendable {
    public init() {}

    struct KeywordHit {
        let use: CompiledRuleSet.KeywordUse
        let start: Int
        let end: Int
    }

    @inline(__always) static func isWordByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b >= 0x80
    }

    /// Whether the hit's letters are the keyword's: the same bytes, or (views that read i and l alike) an "i"
    /// for an "l" or the other way round where the writer typed something that could be either: a lookalike
    /// from another script or a symbol block, leetspeak's 1, | or !, or a capital I. A plainly typed "gal"
    /// or "gał" is not "gai". `collapsed` caches where each collapsed byte starts in the leet view.
    static func lettersAgree(_ literal: UnsafeBufferPointer<UInt8>, _ bytes: UnsafeBufferPointer<UInt8>, at start: Int, in view: ViewKind,
                             of text: NormalizedText, collapsed: inout [Int32]) -> Bool {
        guard start >= 0, start + literal.count <= bytes.count else { return false }
        for k in literal.indices where literal[k] != bytes[start + k] {
            guard view.readsIAsL, let origin = originByte(of: start + k, in: view, text: text, collapsed: &collapsed),
                  origin < text.original.count else { return false }
            if !isAmbiguousIOrL(text.original, at: origin) { return false }
        }
        return true
    }

    /// The original byte offset of view byte `p`; the collapsed view goes through the leet view by its runs,
    /// with prefix sums built once per message (a message full of near-hits stays linear).
    static func originByte(of p: Int, in kind: ViewKind, text: NormalizedText, collapsed: inout [Int32]) -> Int? {
        guard let view = text.view(kind), p < view.count else { return nil }
        guard kind == .collapsed, !view.runLengths.isEmpty, let leet = text.view(.leet) else { return Int(view.originStart(p)) }
        if collapsed.isEmpty {
            collapsed.reserveCapacity(view.runLengths.count)
            var sum: Int32 = 0
            for run in view.runLengths { collapsed.append(sum); sum += Int32(run) }
        }
        let leetIndex = Int(collapsed[p])
        return leetIndex < leet.count ? Int(leet.originStart(leetIndex)) : nil
    }

    /// Whether the character written at `offset` could stand for either i or l: ASCII 1 | ! I, or a
    /// non-ASCII character other than an accented i or l (í, ĺ, ł are plainly the letter they are).
    static func isAmbiguousIOrL(_ original: [UInt8], at offset: Int) -> Bool {
        let b = original[offset]
        if b < 0x80 { return b == 0x31 || b == 0x7C || b == 0x21 || b == 0x49 }
        let (scalar, _) = original.withUnsafeBufferPointer { decodeScalar($0, at: offset) }
        switch scalar.value {
        case 0x0141, 0x0142, 0x013F, 0x0140: return false   // Ł ł Ŀ ŀ
        case 0x00C0...0x024F, 0x1E00...0x1EFF:
            // A Latin letter: plain when it decomposes to i or l with marks. Rare (a mismatch), so Foundation.
            let base = String(Character(scalar)).decomposedStringWithCanonicalMapping.unicodeScalars.first?.value ?? 0
            return !(base == 0x69 || base == 0x6C || base == 0x49 || base == 0x4C)
        default: return true
        }
    }

    /// For each view kind, the kind whose identical text is scanned for it, packed four bits a kind so that it
    /// costs no allocation per message.
    struct ViewIndexMap {
        private var packed: UInt64 = ~0
        /// The index of the kind `kind` maps to, or 0xF for none.
        @inline(__always) func index(_ kind: ViewKind) -> Int { Int(packed >> UInt64(4 * kind.index) & 0xF) }
        @inline(__always) func maps(_ kind: ViewKind, to other: ViewKind) -> Bool { index(kind) == other.index }
        mutating func map(_ kind: ViewKind, to other: ViewKind) {
            let shift = UInt64(4 * kind.index)
            packed = packed & ~(0xF << shift) | UInt64(other.index) << shift
        }
    }

    /// Judges `text` as `evaluate` does and, when it holds a lookalike with a second reading (ſ as "f", ς as
    /// "o", Γ as "y": `NormalizedText.hasAlternateReading`), the same text read that way too. Only rules the
    /// first reading neither matched nor failed run again, and a match counts only when its span holds a
    /// lookalike read the other way: a word an allow list covers in the first reading ("ſnigger" is "snigger")
    /// is not caught through a letter outside the match ("fnigger"). Text without such a lookalike (all ASCII
    /// text) costs nothing more.
    public func evaluateEveryReading(_ text: NormalizedText, channel: Snowflake, roles: [Snowflake], rules set: CompiledRuleSet,
                                     scratch: RegexScratch) -> (matches: [RuleMatch], failures: [RuleFailure]) {
        var found = evaluate(text, channel: channel, roles: roles, rules: set, scratch: scratch)
        guard text.hasAlternateReading, !text.isGreekOrCyrillicOnly else { return found }
        let other = Normalizer().alternateReading(of: text, views: set.views)
        let changed = other.alternateOffsets.map { other.scalarOffsets(Int($0)..<Int($0) + 1).lowerBound }
        let decided = Set(found.matches.map(\.rule) + found.failures.map(\.rule))
        let more = evaluate(other, channel: channel, roles: roles, rules: set, scratch: scratch, skipping: decided)
        for match in more.matches {
            guard let start = match.evidence.start, let end = match.evidence.end,
                  changed.contains(where: { $0 >= start && $0 < end }) else { continue }
            found.matches.append(match)
        }
        found.failures.append(contentsOf: more.failures)
        return found
    }

    /// Judges `text` against `set`: every rule that applies to the channel and roles, except those named in
    /// `skipping`, at most one match or failure each.
    public func evaluate(_ text: NormalizedText, channel: Snowflake, roles: [Snowflake], rules set: CompiledRuleSet,
                         scratch: RegexScratch, skipping: Set<String> = []) -> (matches: [RuleMatch], failures: [RuleFailure]) {
        var matches: [RuleMatch] = []
        var failures: [RuleFailure] = []
        guard !set.scanViews.isEmpty else { return (matches, failures) }

        var candidates = scratch.candidates
        scratch.candidates = []   // hand the buffer over, so writing it does not copy
        defer { scratch.candidates = candidates }
        candidates.removeAll(keepingCapacity: true)
        candidates.append(contentsOf: repeatElement(0, count: set.patterns.count))
        var candidateList: [Int] = []   // patterns with a bit set, in the order first seen
        candidateList.reserveCapacity(16)
        var keywordHits: [KeywordHit] = []
        var allowHits: [KeywordHit] = []

        // Views often hold the same text (plain ASCII chat has no leetspeak to fold or letters to join):
        // each distinct text is scanned once, for every view that shares it.
        var canonical = ViewIndexMap()
        var distinct = ViewSet()
        // Greek or Cyrillic writing is not read as Latin lookalikes.
        let foreign = text.isGreekOrCyrillicOnly
        for kind in set.scanViews where text.hasView(kind) && !(foreign && kind.foldsLookalikes) {
            var same: ViewKind? = nil
            for other in set.scanViews where distinct.contains(other) && text.sameText(other, kind) { same = other; break }
            canonical.map(kind, to: same ?? kind)
            if same == nil { distinct.insert(ViewSet(rawValue: 1 << kind.index)) }
        }
        let collapsedRuns = text.view(.collapsed)?.runLengths ?? []
        var collapsedStarts: [Int32] = []   // built on the first i/l near-hit in the collapsed view

        candidates.withUnsafeMutableBufferPointer { candidates in set.literalTable.withBuffers { table in
            for kind in set.scanViews where distinct.contains(kind) {
                guard let view = text.view(kind) else { continue }
                // Bit 4v of `viewNibbles` for each view v that shares this text: a hit of requirement r sets bit 4v + r.
                var viewNibbles: UInt64 = 0
                for other in set.scanViews where canonical.maps(other, to: kind) { viewNibbles |= UInt64(1) << UInt64(4 * other.index) }
                let spelled = view.spelled
                // Inside spelled-out letters a word starts where the joined view marked one (`Spelled`).
                @inline(__always) func wordStartsAt(_ p: Int) -> Bool { !spelled.isEmpty && p < spelled.count && spelled[p] == .wordStart }
                @inline(__always) func isSpelled(_ p: Int) -> Bool { !spelled.isEmpty && spelled[p] != .no }
                view.bytes.withUnsafeBufferPointer { bytes in
                    set.scanner.scan(bytes) { literal, end in
                        for use in table.uses(of: literal) {
                            switch use {
                            case .pattern(let p, let requirement):
                                if candidates[p] == 0 { candidateList.append(p) }
                                candidates[p] |= viewNibbles << UInt64(requirement)
                            case .keyword(let k):
                                guard canonical.maps(k.view, to: kind) else { continue }
                                let start = end - k.length
                                if k.spelledOnly, !isSpelled(start) || !isSpelled(end - 1) { continue }
                                if !k.openStart, start > 0, Self.isWordByte(bytes[start - 1]), !wordStartsAt(start) { continue }
                                if !k.openEnd, end < bytes.count, Self.isWordByte(bytes[end]), !wordStartsAt(end) { continue }
                                if k.view == .collapsed, !Self.runsMatch(collapsedRuns, at: start, keyword: table.runs(k.runs)) { continue }
                                // Last: the exact-letters check may walk the origin map.
                                if !Self.lettersAgree(table.bytes(of: literal), bytes, at: start, in: k.view, of: text, collapsed: &collapsedStarts) { continue }
                                if k.isAllow { allowHits.append(KeywordHit(use: k, start: start, end: end)) }
                                else { keywordHits.append(KeywordHit(use: k, start: start, end: end)) }
                            }
                        }
                    }
                }
            }
        } }

        var matched = scratch.matched
        scratch.matched = []
        defer { scratch.matched = matched }
        matched.removeAll(keepingCapacity: true)
        matched.append(contentsOf: repeatElement(false, count: set.rules.count))
        if !skipping.isEmpty { for rule in set.rules where skipping.contains(rule.name) { matched[rule.index] = true } }

        // Keywords, minus those inside an allowed word of the same rule and view.
        for hit in keywordHits where !matched[hit.use.rule] {
            let covered = allowHits.contains {
                $0.use.rule == hit.use.rule && $0.use.view == hit.use.view && $0.start <= hit.start && $0.end >= hit.end
            }
            guard !covered else { continue }
            let rule = set.rules[hit.use.rule]
            guard !rule.isDisabled, rule.applies(channel: channel, roles: roles), let view = text.view(hit.use.view) else { continue }
            matched[rule.index] = true
            let written = set.keywordTexts[hit.use.keyword]
            matches.append(Self.match(rule, view: view, text: text, span: hit.start..<hit.end, pattern: nil, keyword: written))
        }

        // Regex patterns in rule order: candidates from the scan that some view holds every required literal
        // of, plus those with no required literal.
        var toRun = set.patternRequirements.withUnsafeBufferPointer { requirements in
            candidateList.filter { Self.someViewHoldsAll(candidates[$0], requirements[$0]) }
        }
        for p in set.alwaysRunPatterns where candidates[p] == 0 { toRun.append(p) }
        toRun.sort()
        for p in toRun {
            let pattern = set.patterns[p]
            let rule = set.rules[pattern.rule]
            guard !matched[rule.index], !rule.isDisabled, rule.applies(channel: channel, roles: roles) else { continue }
            var tried: UInt16 = 0   // canonical views this pattern already ran on: identical text, same answer
            viewLoop: for kind in rule.views {
                guard pattern.alwaysRun || candidates[p] >> UInt64(4 * kind.index) & pattern.requirements == pattern.requirements,
                      !(foreign && kind.foldsLookalikes), let view = text.view(kind) else { continue }
                let mapped = canonical.index(kind), same = mapped == 0xF ? kind.index : mapped
                if tried & (UInt16(1) << UInt16(same)) != 0 { continue }
                tried |= UInt16(1) << UInt16(same)
                let outcome = view.bytes.withUnsafeBufferPointer { pattern.regex.firstMatch(in: $0, scratch: scratch) }
                switch outcome {
                case .noMatch:
                    continue
                case .match(let span):
                    rule.recordSuccess()
                    matched[rule.index] = true
                    matches.append(Self.match(rule, view: view, text: text, span: span, pattern: pattern.regex.source, keyword: nil))
                    break viewLoop
                case .failed(let code, let message):
                    let disabledNow = rule.recordFailure()
                    failures.append(RuleFailure(rule: rule.name, ruleID: rule.id, stage: .content,
                                                code: RegexPattern.failureCode(code), message: message, disabled: disabledNow))
                    break viewLoop
                }
            }
        }
        return (matches, failures)
    }

    /// Whether, in `found` (bit 4v + r: view v holds a literal of requirement r), some view holds a literal
    /// of every requirement in `required` (bit r for requirement r).
    @inline(__always) static func someViewHoldsAll(_ found: UInt64, _ required: UInt64) -> Bool {
        var views = everyView
        var bits = required
        while bits != 0 {
            views &= found >> UInt64(bits.trailingZeroBitCount)
            bits &= bits - 1
        }
        return views & everyView != 0
    }

    /// Bit 4v for every view v (four requirement bits a view must fit in 64).
    static let everyView: UInt64 = {
        precondition(4 * ViewKind.allCases.count <= 64 && RequiredLiterals.requirementLimit <= 4,
                     "candidate bits: four a view, one a requirement, in a UInt64")
        return ViewKind.allCases.reduce(0) { $0 | UInt64(1) << UInt64(4 * $1.index) }
    }()

    static func runsMatch(_ textRuns: [UInt16], at start: Int, keyword runs: UnsafeBufferPointer<UInt16>) -> Bool {
        guard start >= 0 else { return false }
        if textRuns.isEmpty { return runs.allSatisfy { $0 == 1 } }
        guard start + runs.count <= textRuns.count else { return false }
        // A run matches one of the same length or an elongation of 3 or more, so "good" is not "god". Keywords
        // of 5 letters or more have no short lookalike to protect, so a doubled letter ("niigger") counts too.
        let elongation: UInt16 = runs.count >= 5 ? 2 : 3
        for k in 0..<runs.count {
            let t = textRuns[start + k], want = runs[k]
            if t != want && (t < elongation || t < want) { return false }
        }
        return true
    }

    static func match(_ rule: CompiledRule, view: TextView, text: NormalizedText, span: Range<Int>,
                      pattern: String?, keyword: String?) -> RuleMatch {
        let original = text.originalRange(in: view.kind, span.lowerBound, span.upperBound)
        let offsets = text.scalarOffsets(original)
        var excerpt = text.originalText(original)
        if excerpt.count > 200 { excerpt = String(excerpt.prefix(200)) }
        return RuleMatch(rule: rule.name, ruleID: rule.id, type: rule.type, stage: .content,
                         evidence: Evidence(view: view.kind, pattern: pattern, keyword: keyword, text: excerpt,
                                            start: offsets.lowerBound, end: offsets.upperBound),
                         action: rule.definition.effectiveAction)
    }
}

