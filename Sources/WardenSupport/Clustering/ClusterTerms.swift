/// Per feature of a cluster: the sum of its members' term frequencies and the sum of their squares (no
/// IDF). The squares give Σ‖member‖² under any IDF, hence the cluster's average pairwise cosine (cohesion).
/// `Float` keeps an entry at 8 bytes; its precision is ample for these sums.
struct TermSum: Sendable, Equatable {
    var sum: Float
    var square: Float
}

/// A cluster's feature → `TermSum` map: open addressing with linear probing over a power-of-two table,
/// keyed by the feature's bucket index. One array of (key, sums) slots, so a lookup touches one cache line.
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
        var value: TermSum
    }
    private var slots: [Slot]
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
        slots = Array(repeating: Slot(key: Self.empty, value: TermSum(sum: 0, square: 0)), count: 1 << 4)
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

    subscript(key: UInt32) -> TermSum? {
        get {
            let i = slot(key)
            return slots[i].key == key ? slots[i].value : nil
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
            slots[i].value = newValue
        }
    }

    private mutating func grow() {
        let old = slots
        bits += 1
        slots = Array(repeating: Slot(key: Self.empty, value: TermSum(sum: 0, square: 0)), count: 1 << bits)
        for s in old where s.key != Self.empty { slots[slot(s.key)] = s }
    }

    struct Iterator: IteratorProtocol {
        fileprivate let slots: [Slot]
        fileprivate var position = 0

        mutating func next() -> (UInt32, TermSum)? {
            while position < slots.count {
                defer { position += 1 }
                if slots[position].key != ClusterTerms.empty { return (slots[position].key, slots[position].value) }
            }
            return nil
        }
    }

    /// Every (feature, sums) pair, in table order.
    func makeIterator() -> Iterator { Iterator(slots: slots) }
}
