import Foundation

/// Builds the normalized views of a text (see `ViewKind`). Pure and allocation-light: messages that are
/// plain ASCII (most chat) share one buffer for `folded` through `skeleton`.
public struct Normalizer: Sendable {
    /// How the skeleton view reads lookalikes that have two readings (`Confusables.alternate(of:)`).
    enum Reading {
        /// Unicode's reading (ſ is an "s", ς an "s", Γ an "r"); a text holding such a lookalike says so
        /// (`NormalizedText.hasAlternateReading`).
        case first
        /// The evasion tools' reading (ſ is an "f", ς an "o", Γ a "y"), for judging such a text a second time
        /// (`alternateReading(of:views:)`).
        case alternate
    }

    public init() {}

    /// Normalizes `text`, building only `views` (and the views they derive from).
    public func normalize(_ text: String, views wanted: ViewSet) -> NormalizedText {
        // Native strings hand over their UTF-8 in one copy; the generic path walks it byte by byte.
        normalize(utf8: text.utf8.withContiguousStorageIfAvailable { Array($0) } ?? Array(text.utf8), views: wanted)
    }

    public func normalize(utf8 bytes: [UInt8], views wanted: ViewSet) -> NormalizedText {
        let needed = wanted.closedOverParents
        var result = NormalizedText(original: bytes)
        let isASCII = bytes.allSatisfy { $0 < 0x80 }

        let raw = Self.rawView(bytes)
        result.set(raw)
        if needed.contains(.folded) { result.set(isASCII ? Self.asciiLowercased(raw, as: .folded) : Self.folded(raw)) }
        guard needed.contains(.nfkc) else { return result }

        // For ASCII text NFKC, stripping and the skeleton change nothing but case.
        let nfkc = isASCII ? (result.view(.folded).map { TextView(kind: .nfkc, sharing: $0) } ?? Self.asciiLowercased(raw, as: .nfkc))
                           : Self.nfkc(raw)
        result.set(nfkc)
        guard needed.contains(.stripped) else { return result }
        // ASCII text shares the buffer unless it holds control characters, which evasions hide in words.
        let hasControl = isASCII && bytes.contains { ($0 < 0x20 && $0 != 0x0A && $0 != 0x09) || $0 == 0x7F }
        let stripped = isASCII && !hasControl ? TextView(kind: .stripped, sharing: nfkc) : Self.stripped(nfkc)
        result.set(stripped)
        guard needed.contains(.skeleton) else { return result }
        if isASCII {
            deriveFromSkeleton(TextView(kind: .skeleton, sharing: stripped), into: &result, needed: needed)
        } else {
            var readings = AlternateReadings()
            let skeleton = Self.skeleton(stripped, original: bytes, reading: .first, readings: &readings)
            result.hasAlternateReading = readings.seen
            result.alternateOffsets = readings.offsets
            result.isGreekOrCyrillicOnly = Self.isGreekOrCyrillicOnly(bytes)
            deriveFromSkeleton(skeleton, into: &result, needed: needed)
        }
        return result
    }

    /// `text` read the other way (ſ as "f", ς as "o", Γ as "y"): the views up to `stripped` are shared with it, the
    /// skeleton and the views derived from it are built again. For a text with `hasAlternateReading`.
    public func alternateReading(of text: NormalizedText, views wanted: ViewSet) -> NormalizedText {
        let needed = wanted.closedOverParents
        var result = NormalizedText(original: text.original)
        for kind in [ViewKind.raw, .folded, .nfkc, .stripped] { if let view = text.view(kind) { result.set(view) } }
        guard needed.contains(.skeleton), let stripped = text.view(.stripped) else { return result }
        var readings = AlternateReadings()
        let skeleton = Self.skeleton(stripped, original: text.original, reading: .alternate, readings: &readings)
        result.alternateOffsets = readings.offsets
        deriveFromSkeleton(skeleton, into: &result, needed: needed)
        return result
    }

    /// What the skeleton met of lookalikes with two readings: whether any, and under the alternate reading the
    /// original byte offsets of those it read that way.
    struct AlternateReadings {
        var seen = false
        var offsets: [Int32] = []
    }

    /// Sets `skeleton` and builds the views derived from it that `needed` holds. Inlined: as a call it cost
    /// 1,500 instructions a message in copies of the views (callgrind, `warden-bench --in-memory`).
    @inline(__always)
    private func deriveFromSkeleton(_ skeleton: consuming TextView, into result: inout NormalizedText, needed: ViewSet) {
        result.set(skeleton)

        if needed.contains(.links) {
            let extracted = LinkExtractor.linksView(from: skeleton)
            result.set(extracted.view); result.links = extracted.links; result.inviteCount = extracted.invites
        }
        // joined derives from the skeleton, but without spelled-out letters it is the leet text: fold once.
        let leet = needed.contains(.leet) || needed.contains(.joined) ? Self.leet(skeleton) : nil
        if needed.contains(.joined), let leet { result.set(Self.joined(skeleton, leet: leet)) }
        guard needed.contains(.leet), let leet else { return }
        result.set(leet)
        if needed.contains(.collapsed) { result.set(Self.collapsed(leet)) }
    }

    /// Normalizes a rule's keyword to the form it must take in `view` (keywords are written plainly).
    public func keywordForm(_ keyword: String, in view: ViewKind) -> (bytes: [UInt8], runs: [UInt16]) {
        let normalized = normalize(keyword, views: ViewSet([view]))
        guard let v = normalized.view(view) else { return (Array(keyword.utf8), []) }
        return (v.bytes, v.runLengths)
    }

    // MARK: - Views

    static func rawView(_ bytes: [UInt8]) -> TextView {
        var view = TextView(kind: .raw, capacity: 0)
        view.bytes = bytes   // origin maps stay empty: byte i came from byte i
        return view
    }

    @inline(__always) static func lowercase(_ b: UInt8) -> UInt8? { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }

    static func asciiLowercased(_ source: TextView, as kind: ViewKind) -> TextView {
        var view = TextView(kind: kind, sharing: source)
        // Most chat is lowercase already: share the buffer rather than copy it.
        guard source.bytes.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else { return view }
        for i in view.bytes.indices where view.bytes[i] >= 0x41 && view.bytes[i] <= 0x5A { view.bytes[i] |= 0x20 }
        return view
    }

    /// Applies `ascii` to each ASCII byte (nil drops it) and `transform` to each other scalar of `source`
    /// (it appends the replacement). Mostly-ASCII text with one emoji stays on the byte path.
    @inline(__always)
    static func mapScalars(_ source: TextView, to kind: ViewKind, ascii: (UInt8) -> UInt8?,
                           _ transform: (Unicode.Scalar, Int32, Int32, inout TextView) -> Void) -> TextView {
        var view = TextView(kind: kind, capacity: source.count + 8)
        source.bytes.withUnsafeBufferPointer { buf in
            var i = 0
            while i < buf.count {
                let b = buf[i]
                if b < 0x80 {
                    if let out = ascii(b) { view.append(out, from: source.originStart(i), to: source.originEnd(i)) }
                    i += 1
                    continue
                }
                let (scalar, length) = decodeScalar(buf, at: i)
                transform(scalar, source.originStart(i), source.originEnd(min(i + length, buf.count) - 1), &view)
                i += length
            }
        }
        return view
    }

    static func folded(_ raw: TextView) -> TextView {
        mapScalars(raw, to: .folded, ascii: lowercase) { scalar, start, end, view in
            // Long s is an s to PCRE2's caseless matching (as the Kelvin sign, which lowercases to k, is a k),
            // so the folded view says so too: the literal prefilter looks for "s" where a pattern may match "ſ".
            if scalar.value == 0x017F {
                view.append(UInt8(ascii: "s"), from: start, to: end)
            } else if scalar.properties.changesWhenLowercased {
                for s in scalar.properties.lowercaseMapping.unicodeScalars { view.append(s, from: start, to: end) }
            } else {
                view.append(scalar, from: start, to: end)
            }
        }
    }

    static func nfkc(_ raw: TextView) -> TextView {
        mapScalars(raw, to: .nfkc, ascii: lowercase) { scalar, start, end, view in
            if scalar.properties.changesWhenNFKCCaseFolded {
                // One scalar at a time keeps the origin map exact; composition across scalars does not matter
                // here because the next view strips combining marks anyway.
                if let mapped = UnicodeTables.nfkcCaseFold[scalar.value] {
                    for s in mapped { view.append(s, from: start, to: end) }
                } else {
                    for s in UnicodeTables.nfkcLowercasedSlowly(scalar).unicodeScalars { view.append(s, from: start, to: end) }
                }
            } else {
                view.append(scalar, from: start, to: end)
            }
        }
    }

    static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        let p = scalar.properties
        if p.isVariationSelector || p.isDefaultIgnorableCodePoint { return true }
        switch p.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return true
        case .control: return scalar != "\n" && scalar != "\t"
        default: return false
        }
    }

    static func stripped(_ nfkc: TextView) -> TextView {
        mapScalars(nfkc, to: .stripped, ascii: { ($0 >= 0x20 && $0 != 0x7F) || $0 == 0x0A || $0 == 0x09 ? $0 : nil }) { scalar, start, end, view in
            if isInvisible(scalar) {
                return
            } else if let parts = UnicodeTables.decompositions[scalar.value] {
                for s in parts where !isInvisible(s) { view.append(s, from: start, to: end) }
            } else {
                view.append(scalar, from: start, to: end)
            }
        }
    }

    /// Maps lookalikes to the ASCII they imitate. What folding made of a scalar that folding misreads
    /// (`Confusables.beforeFolding`) is replaced as a whole by what the scalar imitates as written, found
    /// through the origin map in `original`; so is a lookalike with two readings, under the `alternate`
    /// reading (`readings` says whether the text holds one, and where the alternate reading applied).
    static func skeleton(_ stripped: TextView, original: [UInt8], reading: Reading, readings: inout AlternateReadings) -> TextView {
        var view = TextView(kind: .skeleton, capacity: stripped.count + 8)
        original.withUnsafeBufferPointer { raw in
            stripped.bytes.withUnsafeBufferPointer { buf in
                var i = 0
                while i < buf.count {
                    let start = stripped.originStart(i), end = stripped.originEnd(i)
                    if start >= 0, Int(start) < raw.count, raw[Int(start)] >= 0x80 {
                        let (written, length) = decodeScalar(raw, at: Int(start))
                        var direct: PackedASCII? = nil
                        if let other = Confusables.alternate(of: written.value) {
                            readings.seen = true
                            if reading == .alternate { direct = PackedASCII(letter: UInt32(other - 0x61)); readings.offsets.append(start) }
                        }
                        if Int(end - start) == length, let direct = direct ?? Confusables.beforeFolding[written.value],
                           i == 0 || stripped.originStart(i - 1) != start {
                            direct.forEach { view.append($0, from: start, to: end) }
                            // Skip the rest of what folding made of it.
                            i += 1
                            while i < buf.count && stripped.originStart(i) == start { i += 1 }
                            continue
                        }
                    }
                    let b = buf[i]
                    if b < 0x80 { view.append(b, from: start, to: end); i += 1; continue }
                    let (scalar, length) = decodeScalar(buf, at: i)
                    let scalarEnd = stripped.originEnd(min(i + length, buf.count) - 1)
                    if let replacement = Confusables.skeleton(of: scalar) {
                        replacement.forEach { view.append($0, from: start, to: scalarEnd) }
                    } else if let letter = Confusables.inWord[scalar.value],
                              Self.standsAgainstALetter(buf, at: i, length: length, in: stripped) {
                        letter.forEach { view.append($0, from: start, to: scalarEnd) }
                    } else {
                        view.append(scalar, from: start, to: scalarEnd)
                    }
                    i += length
                }
            }
        }
        return view
    }

    @inline(__always) static func isLetter(_ b: UInt8) -> Bool { b >= 0x61 && b <= 0x7A }

    /// Whether the letters of a message (its UTF-8 as written) are all Greek or all Cyrillic: such a text is
    /// Greek or Cyrillic writing, not lookalikes standing in for Latin letters. It is read as written, before
    /// NFKC. Greek or Cyrillic writing needs a letter of those scripts (not a modifier letter or a mark such as
    /// the numeral sign ʹ). Anything that reads as a Latin letter makes the text Latin: an ASCII letter, another
    /// script's letter, a superscript or subscript letter (ᵖ, ₐ), a symbol the lookalike table reads as one
    /// letter (APL's ⍴, a regional indicator standing alone). Not letters: symbols NFKC spells in Latin letters
    /// (№, ℃, ㎏, ™), the apostrophe ʼ, emoji (ℹ️, Ⓜ️, 🅿️ with their emoji selector; two regional indicators
    /// are a flag), and the Discord markup no reader sees as text: custom emoji `<:name:id>` and timestamps
    /// `<t:1700000000:R>`.
    static func isGreekOrCyrillicOnly(_ bytes: [UInt8]) -> Bool {
        var greek = false, cyrillic = false
        return bytes.withUnsafeBufferPointer { buf in
            var i = 0
            var previousIsRegional = false
            while i < buf.count {
                let b = buf[i]
                if b < 0x80 {
                    previousIsRegional = false
                    if b == UInt8(ascii: "<"), let end = discordMarkupEnd(buf, from: i) { i = end; continue }
                    if (0x61...0x7A).contains(b) || (0x41...0x5A).contains(b) { return false }
                    i += 1
                    continue
                }
                let (scalar, length) = decodeScalar(buf, at: i)
                i += length
                let regional = isRegionalIndicator(scalar.value)
                defer { previousIsRegional = regional }
                let category = scalar.properties.generalCategory
                switch scalar.value {
                case 0x0370...0x03FF, 0x1F00...0x1FFF:
                    if isBaseLetter(category) { greek = true }
                case 0x0400...0x052F, 0x1C80...0x1C8F, 0x2DE0...0x2DFF, 0xA640...0xA69F:
                    if isBaseLetter(category) { cyrillic = true }
                default:
                    if regional {
                        let nextIsRegional = i < buf.count && isRegionalIndicator(decodeScalar(buf, at: i).0.value)
                        if !previousIsRegional && !nextIsRegional { return false }
                    } else if scalar.properties.isEmoji, i + 2 < buf.count, buf[i] == 0xEF, buf[i + 1] == 0xB8, buf[i + 2] == 0x8F {
                        continue   // followed by U+FE0F: shown as an emoji
                    } else if readsAsLatin(scalar, category) {
                        return false
                    }
                }
                if greek && cyrillic { return false }
            }
            return greek || cyrillic
        }
    }

    @inline(__always) static func isRegionalIndicator(_ v: UInt32) -> Bool { (0x1F1E6...0x1F1FF).contains(v) }

    @inline(__always) static func isBaseLetter(_ category: Unicode.GeneralCategory) -> Bool {
        switch category {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .otherLetter: true
        default: false
        }
    }

    /// Whether a scalar outside the Greek and Cyrillic blocks reads as a Latin letter (see `isGreekOrCyrillicOnly`).
    static func readsAsLatin(_ scalar: Unicode.Scalar, _ category: Unicode.GeneralCategory) -> Bool {
        if Confusables.skeleton(of: scalar)?.isOneLetter == true { return true }
        switch category {
        case .nonspacingMark, .spacingMark, .enclosingMark:
            return false
        case .modifierLetter:
            // ᵖ is a small "p" (NFKC says so); ʼ and ʹ are an apostrophe and a numeral sign.
            guard scalar.properties.changesWhenNFKCCaseFolded else { return false }
            let folded = UnicodeTables.nfkcCaseFold[scalar.value] ?? Array(UnicodeTables.nfkcLowercasedSlowly(scalar).unicodeScalars)
            return folded.count == 1 && folded[0].isASCII && isLetter(UInt8(folded[0].value))
        default:
            return scalar.properties.isAlphabetic
        }
    }

    /// Where Discord markup that no reader sees as text, starting at `start` (a `<`), ends: custom emoji
    /// `<:name:id>` and `<a:name:id>` (shown as an image), timestamps `<t:seconds>` and `<t:seconds:R>` (shown as
    /// a date); nil for anything else. Only what Discord renders: a name with spaces or a style it does not
    /// know is shown as typed.
    static func discordMarkupEnd(_ buf: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var i = start + 1
        func next(_ byte: UInt8) -> Bool {
            guard i < buf.count, buf[i] == byte else { return false }
            i += 1
            return true
        }
        func span(_ accepts: (UInt8) -> Bool, _ lengths: ClosedRange<Int>) -> Bool {
            let from = i
            while i < buf.count, i - from < lengths.upperBound, accepts(buf[i]) { i += 1 }
            return lengths.contains(i - from)
        }
        let colon = UInt8(ascii: ":")
        if next(UInt8(ascii: "t")), next(colon) {                  // <t:1700000000> or <t:1700000000:R>
            _ = next(UInt8(ascii: "-"))
            guard span(isDigit, 1...20) else { return nil }
            if next(colon) {
                guard i < buf.count, "tTdDfFR".utf8.contains(buf[i]) else { return nil }
                i += 1
            }
        } else {                                                    // <:name:id> or <a:name:id>
            i = start + 1
            _ = next(UInt8(ascii: "a"))
            guard next(colon), span({ isAlnum($0 | 0x20) || $0 == UInt8(ascii: "_") }, 2...32), next(colon),
                  span(isDigit, 17...20) else { return nil }
        }
        return next(UInt8(ascii: ">")) ? i : nil
    }

    /// Whether the scalar at `i..<i + length` of the stripped view touches a letter of a Latin-written word
    /// (nothing stripped between them) and no digit: "in٧ite", "₽anny", "pissof₽", but not "₽500", "JP¥455",
    /// "ok\u{200B}₽", nor Persian "۲۷ام" or "صفحه۷" (digits of Arabic-script text stay digits).
    static func standsAgainstALetter(_ buf: UnsafeBufferPointer<UInt8>, at i: Int, length: Int, in stripped: TextView) -> Bool {
        var before: Unicode.Scalar? = nil, after: Unicode.Scalar? = nil
        if i > 0, stripped.originEnd(i - 1) == stripped.originStart(i) {
            var k = i - 1
            while k > 0 && buf[k] & 0xC0 == 0x80 { k -= 1 }
            before = decodeScalar(buf, at: k).0
        }
        let next = i + length
        if next < buf.count, stripped.originEnd(next - 1) == stripped.originStart(next) { after = decodeScalar(buf, at: next).0 }
        func isDigit(_ s: Unicode.Scalar?) -> Bool { s?.properties.numericType != nil }
        if isDigit(before) || isDigit(after) { return false }
        return isLatinLetter(before) || isLatinLetter(after)
    }

    /// A Latin letter (the stripped view is lowercase and mark-free) or a lookalike of one from the table;
    /// lookalikes from Arabic-script blocks (heh is an "o") do not make a word Latin-written.
    static func isLatinLetter(_ scalar: Unicode.Scalar?) -> Bool {
        guard let v = scalar?.value else { return false }
        if v < 0x80 { return v >= 0x61 && v <= 0x7A }
        if (0x0600...0x08FF).contains(v) || (0xFB50...0xFDFF).contains(v) || (0xFE70...0xFEFF).contains(v) { return false }
        return Confusables.table[v].map { isLetter($0.first) } ?? false
    }
    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    @inline(__always) static func isAlnum(_ b: UInt8) -> Bool { isLetter(b) || isDigit(b) }

    static func leetLetter(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30: 0x6F  // 0 o
        case 0x31: 0x69  // 1 i
        case 0x33: 0x65  // 3 e
        case 0x34: 0x61  // 4 a
        case 0x35: 0x73  // 5 s
        case 0x37: 0x74  // 7 t
        case 0x38: 0x62  // 8 b
        case 0x39: 0x67  // 9 g
        case 0x40: 0x61  // @ a
        case 0x24: 0x73  // $ s
        case 0x21: 0x69  // ! i
        case 0x7C: 0x6C  // | l
        case 0x2B: 0x74  // + t
        default: nil
        }
    }

    /// Folds leetspeak in words that contain a letter: digits anywhere in such a word; symbols between its
    /// first and last letter or digit ("sh!t", "a$$h0le"); outside them only `$`, which is never punctuation
    /// ("$hit", "a$$"). So "word!!", "w0rd?!" and "@everyone" keep their punctuation.
    static func leet(_ skeleton: TextView, as kind: ViewKind = .leet) -> TextView {
        var view = TextView(kind: kind, sharing: skeleton)
        foldLeet(&view.bytes)
        return view
    }

    static func foldLeet(_ bytes: inout [UInt8]) {
        // Most chat has no digit or leet symbol at all: one read-only pass, and the buffer stays shared.
        let hasCandidate = bytes.withUnsafeBufferPointer { buf in buf.contains { isDigit($0) || leetLetter($0) != nil } }
        guard hasCandidate else { return }
        bytes.withUnsafeMutableBufferPointer { bytes in
            let n = bytes.count
            var i = 0
            while i < n {
                let b = bytes[i]
                guard isAlnum(b) || leetLetter(b) != nil else { i += 1; continue }
                var j = i
                var hasLetter = false
                var firstAlnum = -1, lastAlnum = -1
                while j < n, isAlnum(bytes[j]) || leetLetter(bytes[j]) != nil {
                    // "$" always folds, so it counts as a letter here ("p3n!$" is "penis", "$|ut" is "slut").
                    if isAlnum(bytes[j]) || bytes[j] == 0x24 { if firstAlnum < 0 { firstAlnum = j }; lastAlnum = j }
                    if isLetter(bytes[j]) { hasLetter = true }
                    j += 1
                }
                if hasLetter {
                    for k in i..<j {
                        let c = bytes[k]
                        guard !isLetter(c), let mapped = leetLetter(c) else { continue }
                        if isDigit(c) || c == 0x24 || (k > firstAlnum && k < lastAlnum) { bytes[k] = mapped }
                    }
                }
                i = j
            }
        }
    }

    /// Collapses runs of one repeated letter to a single letter, remembering the run's length.
    static func collapsed(_ leet: TextView) -> TextView {
        // No doubled letter: the same text, every run 1 (an empty `runLengths` says so).
        let doubled = leet.bytes.withUnsafeBufferPointer { b in
            b.count > 1 && (1..<b.count).contains { b[$0] == b[$0 - 1] && isLetter(b[$0]) }
        }
        if !doubled { return TextView(kind: .collapsed, sharing: leet) }
        // Bytes and run lengths only: a span's origin is derived through the leet view when a match needs it
        // (see `NormalizedText.originalRange`), which saves two arrays for most long messages.
        var view = TextView(kind: .collapsed, capacity: 0)
        let n = leet.count
        var written = 0
        view.bytes = [UInt8](unsafeUninitializedCapacity: n) { out, outCount in
            view.runLengths = [UInt16](unsafeUninitializedCapacity: n) { runs, runsCount in
                leet.bytes.withUnsafeBufferPointer { src in
                    var i = 0
                    while i < n {
                        let b = src[i]
                        var j = i + 1
                        if isLetter(b) { while j < n && src[j] == b { j += 1 } }
                        out[written] = b
                        runs[written] = UInt16(clamping: j - i)
                        written += 1
                        i = j
                    }
                }
                runsCount = written
            }
            outCount = written
        }
        return view
    }

    /// What may stand between the letters of a spelled-out word ("f.u.c.k", "f_u_c_k", "f | u | c | k").
    @inline(__always) static func isSpacer(_ b: UInt8) -> Bool {
        // One bit per spacer: space, tab, . - * / below 64; _ | \ ~ from 64 to 127.
        let low: UInt64 = 1 << 0x20 | 1 << 0x09 | 1 << 0x2E | 1 << 0x2D | 1 << 0x2A | 1 << 0x2F
        let high: UInt64 = 1 << (0x5F - 64) | 1 << (0x7C - 64) | 1 << (0x5C - 64) | 1 << (0x7E - 64)
        return b < 64 ? low >> UInt64(b) & 1 != 0 : b < 128 && high >> UInt64(b - 64) & 1 != 0
    }

    /// One character of a spelled-out word: a letter, a digit, or a leet symbol that is no spacer.
    @inline(__always) static func isSpellable(_ b: UInt8) -> Bool {
        isAlnum(b) || (leetLetter(b) != nil && !isSpacer(b))
    }

    /// The gap that occurs most often between the letters of a chain (the first of those that tie). Gaps are
    /// at most 8 spacers, so each packs into one word: one pass, however long the chain.
    static func usualGap(_ bytes: [UInt8], _ chain: [Int]) -> ArraySlice<UInt8> {
        func key(_ gap: ArraySlice<UInt8>) -> UInt64 { gap.reduce(0) { $0 << 8 | UInt64($1) } }
        var counts: [UInt64: Int] = [:]
        var best = bytes[(chain[0] + 1)..<chain[1]], bestCount = 0
        for n in 1..<chain.count {
            let gap = bytes[(chain[n - 1] + 1)..<chain[n]]
            let count = counts[key(gap), default: 0] + 1
            counts[key(gap)] = count
            if count > bestCount { best = gap; bestCount = count }
        }
        return best
    }

    /// The length of the word a chain of spelled letters writes several times over ("screwscrew": 5), or 0
    /// when it is no such repetition. Words of at least two letters; the copies must be letter for letter alike.
    static func repeatPeriod(_ bytes: [UInt8], _ chain: [Int]) -> Int {
        let n = chain.count
        guard n >= 4 else { return 0 }
        for period in 2...(n / 2) where n % period == 0 {
            if (period..<n).allSatisfy({ bytes[chain[$0]] == bytes[chain[$0 - period]] }) { return period }
        }
        return 0
    }

    /// Joins words spelled out letter by letter ("f r e e", "f.r.e.e!!", "s h ! t"): three or more
    /// single characters separated by runs of spacers (zero-width characters are already gone), then
    /// folds leetspeak as the leet view does. The letters are marked (`TextView.spelled`) with where words
    /// start among them. Built from the skeleton, not the leet view, so that "|" and
    /// "!" between the letters are still separators and not letters.
    static func joined(_ skeleton: TextView, leet: TextView) -> TextView {
        let bytes = skeleton.bytes
        let n = bytes.count
        // Whether something invisible stood between bytes a and a + 1 (a zero-width character or a mark the
        // stripped view dropped): it parts letters as a spacer does ("a\u{200B}s.s").
        func hidden(_ a: Int) -> Bool { skeleton.originEnd(a) < skeleton.originStart(a + 1) }
        // A lone character: spellable, with no letter or digit touching it.
        func singleAt(_ k: Int) -> Bool {
            k < n && isSpellable(bytes[k]) && (k == 0 || !isAlnum(bytes[k - 1]) || hidden(k - 1))
                && (k + 1 == n || !isAlnum(bytes[k + 1]) || hidden(k))
        }
        // The next element of a chain after the one at `k`: past one to eight spacers (or something hidden),
        // a lone character.
        func next(after k: Int) -> Int? {
            var m = k + 1
            while m < n && m - k <= 8 && isSpacer(bytes[m]) { m += 1 }
            return (m > k + 1 || (m < n && hidden(k))) && singleAt(m) ? m : nil
        }
        // Fast exit: no spaced-out letters, the leet view's text. A chain starts with a character followed by a
        // spacer or something hidden, which rules out most bytes at the cost of one look at the next.
        let mapped = !skeleton.starts.isEmpty
        let found = bytes.withUnsafeBufferPointer { b in
            var k = 0
            while k + 1 < n {
                if isSpacer(b[k + 1]) || (mapped && hidden(k)), isSpellable(b[k]), singleAt(k),
                   let second = next(after: k), next(after: second) != nil { return true }
                k += 1
            }
            return false
        }
        if !found { return TextView(kind: .joined, sharing: leet) }

        var view = TextView(kind: .joined, capacity: n)
        var spelled: [Spelled] = []
        spelled.reserveCapacity(n)
        var i = 0
        var chain: [Int] = []
        while i < n {
            if singleAt(i) {
                chain.removeAll(keepingCapacity: true)
                chain.append(i)
                var j = i
                while let m = next(after: j) { chain.append(m); j = m }
                if chain.count >= 3 {
                    // Word starts inside the chain: after a leading one-letter word ("a f u c k"), and at a gap
                    // unlike the chain's usual one ("b.o.o.t.y c.a.l.l", "you are a f.u.c.k").
                    // And where a word written several times starts again ("s c r e w s c r e w", "p-a w n p-a w n"),
                    // whatever the gap: the usual one there is often the gap between the copies too.
                    let usual = Self.usualGap(bytes, chain)
                    let period = Self.repeatPeriod(bytes, chain)
                    for (n, c) in chain.enumerated() {
                        var mark = Spelled.letter
                        if n == 0 { mark = .wordStart }
                        else if n == 1, bytes[chain[0]] == 0x61 || bytes[chain[0]] == 0x69 { mark = .wordStart }
                        else if !bytes[(chain[n - 1] + 1)..<c].elementsEqual(usual) { mark = .wordStart }
                        else if period > 0, n % period == 0 { mark = .wordStart }
                        view.append(bytes[c], from: skeleton.originStart(c), to: skeleton.originEnd(c)); spelled.append(mark)
                    }
                    i = j + 1
                    continue
                }
            }
            view.append(bytes[i], from: skeleton.originStart(i), to: skeleton.originEnd(i))
            spelled.append(.no)
            i += 1
        }
        foldLeet(&view.bytes)
        view.spelled = spelled
        return view
    }
}
