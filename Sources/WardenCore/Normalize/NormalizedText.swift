/// A message's text with the views a rule set needs, plus the facts the spam stage counts.
public struct NormalizedText: Sendable {
    public let original: [UInt8]
    private var views: [TextView?]
    /// URLs found in the text (percent-decoded, lowercased), when the links view was built.
    public internal(set) var links: [String] = []
    public internal(set) var inviteCount = 0

    init(original: [UInt8]) {
        self.original = original
        views = Array(repeating: nil, count: ViewKind.allCases.count)
    }

    public func view(_ kind: ViewKind) -> TextView? { views[kind.index] }
    mutating func set(_ view: TextView) { views[view.kind.index] = view }

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
