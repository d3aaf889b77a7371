/// A message's text with the views a rule set needs, plus the facts the spam stage counts.
public struct NormalizedText: Sendable {
    public let original: [UInt8]
    private var views = Slots()
    /// URLs found in the text (percent-decoded, lowercased), when the links view was built.
    public internal(set) var links: [String] = []
    public internal(set) var inviteCount = 0
    /// The text holds a lookalike with a second reading (ſ, ς, Γ, ...: `Confusables.alternate(of:)`), so it
    /// is judged again read that way (`ContentStage.evaluateEveryReading`).
    public internal(set) var hasAlternateReading = false
    /// The text's letters are all Greek or all Cyrillic: it is read as written in that script, so the views
    /// that fold lookalikes into Latin letters (`ViewKind.foldsLookalikes`) are not matched ("ρακί", a drink,
    /// is no Latin word). Text mixing them with Latin letters is read for lookalikes as usual.
    public internal(set) var isGreekOrCyrillicOnly = false
    /// Under the alternate reading: the original byte offsets of the lookalikes read that way.
    public internal(set) var alternateOffsets: [Int32] = []

    init(original: [UInt8]) {
        self.original = original
    }

    public func view(_ kind: ViewKind) -> TextView? { views[kind] }
    mutating func set(_ view: TextView) { views[view.kind] = view }
    /// Whether the `kind` view was built.
    func hasView(_ kind: ViewKind) -> Bool { views[kind] != nil }
    /// Whether two built views hold the same bytes (views that share a buffer compare in constant time).
    func sameText(_ a: ViewKind, _ b: ViewKind) -> Bool {
        guard let x = views[a]?.bytes, let y = views[b]?.bytes else { return false }
        return x == y
    }

    /// One slot per view kind, stored inline: a message's views cost no array of their own.
    struct Slots: Sendable {
        var raw, folded, nfkc, stripped, skeleton, leet, collapsed, joined, links: TextView?

        subscript(kind: ViewKind) -> TextView? {
            get {
                switch kind {
                case .raw: raw
                case .folded: folded
                case .nfkc: nfkc
                case .stripped: stripped
                case .skeleton: skeleton
                case .leet: leet
                case .collapsed: collapsed
                case .joined: joined
                case .links: links
                }
            }
            set {
                switch kind {
                case .raw: raw = newValue
                case .folded: folded = newValue
                case .nfkc: nfkc = newValue
                case .stripped: stripped = newValue
                case .skeleton: skeleton = newValue
                case .leet: leet = newValue
                case .collapsed: collapsed = newValue
                case .joined: joined = newValue
                case .links: links = newValue
                }
            }
        }
    }

    /// The original byte range of view bytes `start..<end`. A collapsed view keeps no origin map of its own:
    /// its runs lead back to the leet view, whose map leads to the original.
    public func originalRange(in kind: ViewKind, _ start: Int, _ end: Int) -> Range<Int> {
        guard let view = view(kind) else { return 0..<0 }
        guard kind == .collapsed, !view.runLengths.isEmpty, let leet = self.view(.leet) else {
            return view.originalRange(start, end)
        }
        let runs = view.runLengths
        let lower = min(max(0, start), runs.count), upper = min(max(lower, end), runs.count)
        var leetStart = 0
        for k in 0..<lower { leetStart += Int(runs[k]) }
        var leetEnd = leetStart
        for k in lower..<upper { leetEnd += Int(runs[k]) }
        return leet.originalRange(leetStart, leetEnd)
    }

    /// The original text of a byte range, for evidence.
    public func originalText(_ range: Range<Int>) -> String {
        let clamped = range.clamped(to: 0..<original.count)
        return String(decoding: original[clamped], as: UTF8.self)
    }

    /// Converts an original byte range to Unicode scalar offsets (the indices Python's `str` uses).
    public func scalarOffsets(_ range: Range<Int>) -> Range<Int> {
        var start = 0, end = 0, scalars = 0
        var i = 0
        let n = original.count
        while i < n {
            if i == range.lowerBound { start = scalars }
            if i == range.upperBound { end = scalars; return start..<end }
            let b = original[i]
            i += b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4
            scalars += 1
        }
        if range.lowerBound >= n { start = scalars }
        end = scalars
        return start..<end
    }
}
