/// The text of one view as UTF-8 bytes, with, for every byte, the range of original bytes it came from.
/// That map is what lets evidence name the span of the original message whatever view matched.
public struct TextView: Sendable {
    public let kind: ViewKind
    /// Valid UTF-8 (views are built from whole scalars), so PCRE2 can skip its UTF check.
    public internal(set) var bytes: [UInt8]
    /// Original byte offset where the source of each byte starts, and where it ends (exclusive). Empty when
    /// the view is byte-for-byte aligned with the original (raw, and the ASCII views derived from it), which
    /// saves two arrays per view for most messages; read through `originStart(_:)` and `originEnd(_:)`.
    var starts: [Int32]
    var ends: [Int32]

    @inline(__always) public func originStart(_ i: Int) -> Int32 { starts.isEmpty ? Int32(i) : starts[i] }
    @inline(__always) public func originEnd(_ i: Int) -> Int32 { ends.isEmpty ? Int32(i + 1) : ends[i] }
    /// `collapsed` only: how many repeats of the letter at byte `i` the source had (1 for everything else;
    /// empty when every run is 1).
    public internal(set) var runLengths: [UInt16]
    /// `joined` only: for each byte, `Spelled.no`, or that it was one letter of a word spelled out letter by
    /// letter, and whether a word boundary lies before it inside the spelled letters (see `Spelled`). Empty
    /// when nothing was joined.
    public internal(set) var spelled: [Spelled]

    init(kind: ViewKind, capacity: Int) {
        self.kind = kind
        bytes = []; starts = []; ends = []; runLengths = []; spelled = []
        bytes.reserveCapacity(capacity); starts.reserveCapacity(capacity); ends.reserveCapacity(capacity)
    }

    /// A view identical to `other` in content, under another name (shares storage).
    init(kind: ViewKind, sharing other: TextView) {
        self.kind = kind
        bytes = other.bytes; starts = other.starts; ends = other.ends; runLengths = other.runLengths; spelled = other.spelled
    }

    public var count: Int { bytes.count }

    /// The original byte range covered by view bytes `start..<end`. Not for the collapsed view, whose map
    /// goes through the leet view: use `NormalizedText.originalRange(in:_:_:)`.
    func originalRange(_ start: Int, _ end: Int) -> Range<Int> {
        guard start < end, end <= bytes.count else {
            let at = start < bytes.count ? Int(originStart(start)) : (bytes.isEmpty ? 0 : Int(originEnd(bytes.count - 1)))
            return at..<at
        }
        var lower = Int(originStart(start)), upper = Int(originEnd(end - 1))
        // Sources can overlap when one original scalar expands to several view bytes.
        for i in start..<end { lower = min(lower, Int(originStart(i))); upper = max(upper, Int(originEnd(i))) }
        return lower..<upper
    }

    @inline(__always) mutating func append(_ byte: UInt8, from start: Int32, to end: Int32) {
        bytes.append(byte); starts.append(start); ends.append(end)
    }

    mutating func append(_ scalar: Unicode.Scalar, from start: Int32, to end: Int32) {
        if scalar.isASCII { append(UInt8(truncatingIfNeeded: scalar.value), from: start, to: end); return }
        for unit in scalar.utf8 { append(unit, from: start, to: end) }
    }
}

/// Decodes the scalar that starts at `i` in valid UTF-8; returns it and its length.
@inline(__always)
func decodeScalar(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> (Unicode.Scalar, Int) {
    let b0 = bytes[i]
    if b0 < 0x80 { return (Unicode.Scalar(b0), 1) }
    var value: UInt32
    let length: Int
    if b0 < 0xE0 { value = UInt32(b0 & 0x1F); length = 2 }
    else if b0 < 0xF0 { value = UInt32(b0 & 0x0F); length = 3 }
    else { value = UInt32(b0 & 0x07); length = 4 }
    var k = 1
    while k < length && i + k < bytes.count {
        value = (value << 6) | UInt32(bytes[i + k] & 0x3F); k += 1
    }
    return (Unicode.Scalar(value) ?? "\u{FFFD}", length)
}

/// What the joined view knows of each byte: not spelled out, a spelled letter, or a spelled letter with a
/// word boundary before it. Spelled letters join into one word ("H E L L O" is "hello", which holds no
/// "hell"); a boundary falls after a leading one-letter word ("a f u c k": "a" then "fuck") and at a gap
/// unlike the chain's usual one ("b.o.o.t.y c.a.l.l", "f u  c k" is still "fuck" where no boundary is needed).
public enum Spelled: UInt8, Sendable {
    case no, letter, wordStart
}
