/// Per feature of a cluster: the sum of its members' term frequencies and the sum of their squares (no
/// IDF). The squares give Σ‖member‖² under any IDF, hence the cluster's average pairwise cosine (cohesion).
/// `Float` keeps an entry at 8 bytes; its precision is ample for these sums.
struct TermSum: Sendable, Equatable {
    var sum: Float
    var square: Float
}

/// A cluster's feature → `TermSum` map: open addressing with linear probing over a power-of-two table,
/// keyed by the feature's bucket index. Slots of (key, sum), 8 bytes, so a scoring lookup touches one
/// cache line and a table holds eight entries a line; the squares, which only norms and merges read, are
/// kept beside them in an array of their own.
///
/// Why not `Dictionary`: scoring a summary against a cluster looks up every feature of the summary (several
/// hundred, most of them character n-grams), and `Dictionary<UInt32, _>` pays a full SipHash per lookup;
/// that was most of the time of `TicketClusterer.add`. Feature indices are already hashes (FNV-1a with an
/// avalanche, `TextVectorizer`), so one multiplication spreads them well enough.
struct ClusterTerms: Sendable, Sequence {
    /// Marks an empty slot. Feature indices stay below 2^28 (`TextVectorizer.Configuration.bucketBits`).
    private static let empty = UInt32.max
    fileprivate struct Slot {
        var key: UInt32
        var sum: Float
    }
    private var slots: [Slot]
    /// The square sum of the feature in `slots[i]`.
    private var squares: [Float]
    /// log2 of the table size.
    private var bits: Int
    /// Bits of a key (`TextVectorizer.Configuration.bucketBits`).
    private let keyBits: Int
    /// Number of features stored.
    private(set) var count = 0

    /// An empty table for keys below 2^`keyBits`.
    init(keyBits: Int) {
        self.keyBits = keyBits
        bits = 4
        slots = Array(repeating: Slot(key: Self.empty, sum: 0), count: 1 << 4)
        squares = Array(repeating: 0, count: 1 << 4)
    }

    /// The key's top bits below its highest one: keys are hash buckets, already uniform, and this keeps
    /// each half of the key space (word features, character features) in key order, so the sorted features
    /// of a summary are looked up front to back, twice (the table of a large cluster is far bigger than the
    /// cache; in key order the hardware prefetches it). The highest key bit, which tells words from
    /// characters, goes to the bottom: kept on top, the character half (most features) would crowd half
    /// the table and make probe chains long.
    @inline(__always)
    private func home(_ key: UInt32) -> Int {
        let top = UInt32(keyBits - 1)
        let rotated = Int(((key & ((1 << top) - 1)) << 1) | ((key >> top) & 1))
        let shift = keyBits - bits
        return shift >= 0 ? rotated >> shift : rotated << -shift
    }

    /// The slot holding `key`, or the empty slot where it would go.
    @inline(__always)
    private func slot(_ key: UInt32) -> Int {
        let mask = slots.count - 1
        var i = home(key) & mask
        while true {
            let k = slots[i].key
            if k == key || k == Self.empty { return i }
            i = (i + 1) & mask
        }
    }

    /// The sum alone, what scoring a summary against the cluster reads.
    @inline(__always)
    func sum(_ key: UInt32) -> Float? {
        let i = slot(key)
        return slots[i].key == key ? slots[i].sum : nil
    }

    subscript(key: UInt32) -> TermSum? {
        get {
            let i = slot(key)
            return slots[i].key == key ? TermSum(sum: slots[i].sum, square: squares[i]) : nil
        }
        set {
            // Entries are never removed (a cluster's features only grow); setting nil on a missing key is a no-op.
            guard let newValue else { return }
            var i = slot(key)
            if slots[i].key != key {
                if (count + 1) * 2 > slots.count {
                    grow()
                    i = slot(key)
                }
                slots[i].key = key
                count += 1
            }
            slots[i].sum = newValue.sum
            squares[i] = newValue.square
        }
    }

    private mutating func grow() {
        let old = slots, oldSquares = squares
        bits += 1
        slots = Array(repeating: Slot(key: Self.empty, sum: 0), count: 1 << bits)
        squares = Array(repeating: 0, count: 1 << bits)
        for (s, square) in zip(old, oldSquares) where s.key != Self.empty {
            let i = slot(s.key)
            slots[i] = s
            squares[i] = square
        }
    }

    struct Iterator: IteratorProtocol {
        fileprivate let slots: [Slot]
        fileprivate let squares: [Float]
        fileprivate var position = 0

        mutating func next() -> (UInt32, TermSum)? {
            while position < slots.count {
                defer { position += 1 }
                let s = slots[position]
                if s.key != ClusterTerms.empty { return (s.key, TermSum(sum: s.sum, square: squares[position])) }
            }
            return nil
        }
    }

    /// Every (feature, sums) pair, in table order.
    func makeIterator() -> Iterator { Iterator(slots: slots, squares: squares) }
}
