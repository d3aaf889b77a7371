import Foundation

/// Fingerprints of normalized message text for the `duplicates` detector.
///
/// All hashing is wyhash-style: 64×64→128-bit multiply folded to 64 bits. It is fast, allocation-free
/// and good enough for comparing one member's recent messages; it is not cryptographic and not stable
/// across versions of Warden (fingerprints are never persisted).
public enum SimHash {
    // Odd 64-bit constants from wyhash.
    private static let p0: UInt64 = 0xa076_1d64_78bd_642f
    private static let p1: UInt64 = 0xe703_7ed1_a0b4_28db
    private static let p2: UInt64 = 0x8ebc_6af0_9c88_c6e3
    private static let p3: UInt64 = 0x5899_65cc_7537_4cc3

    /// Folded 128-bit product: the core mixing step of wyhash.
    @inline(__always)
    static func mum(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }

    /// Mixes two words into one well-distributed word (also used to pick a tracker shard).
    @inline(__always)
    static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        mum(a ^ p0, b ^ p1)
    }

    /// 64-bit SimHash over character 3-grams of `bytes` (UTF-8 of already-normalized text), using
    /// wyhash-style mixing per shingle. Texts shorter than 3 bytes hash the whole text; empty text gives 0.
    ///
    /// Shingles are 3-byte windows of the UTF-8, so for non-ASCII text a "character" 3-gram is a byte
    /// 3-gram: decoding scalars would cost more and give the same similarity ordering.
    /// Bit *i* of the result is set when more than half of the shingles have bit *i* set in their hash.
    public static func of(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let n = bytes.count
        if n == 0 { return 0 }
        if n < 3 { return contentHash(bytes) }
        let shingles = n - 2
        // The 64 per-bit counters are packed: bit 4j + r of a hash is counted in nibble j of `nibbles[r]`, so
        // one shift, mask and add counts 16 bits at once. Every 15 shingles (before a nibble can overflow) the
        // nibbles move into byte lanes, and every 255 into the totals.
        let ones: UInt64 = 0x1111_1111_1111_1111, lowNibbles: UInt64 = 0x0F0F_0F0F_0F0F_0F0F
        return withUnsafeTemporaryAllocation(of: Int32.self, capacity: 64) { totals in
            totals.initialize(repeating: 0)
            var n0: UInt64 = 0, n1: UInt64 = 0, n2: UInt64 = 0, n3: UInt64 = 0
            // Byte lanes: lane k of `lanes[2r + s]` counts bit 8k + 4s + r.
            var lanes = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
            @inline(__always) func moveNibbles() {
                lanes.0 &+= n0 & lowNibbles; lanes.1 &+= n0 >> 4 & lowNibbles
                lanes.2 &+= n1 & lowNibbles; lanes.3 &+= n1 >> 4 & lowNibbles
                lanes.4 &+= n2 & lowNibbles; lanes.5 &+= n2 >> 4 & lowNibbles
                lanes.6 &+= n3 & lowNibbles; lanes.7 &+= n3 >> 4 & lowNibbles
                n0 = 0; n1 = 0; n2 = 0; n3 = 0
            }
            @inline(__always) func add(_ word: UInt64, from bit: Int) {
                for k in 0..<8 { totals[bit + 8 * k] &+= Int32(truncatingIfNeeded: word >> UInt64(8 * k) & 0xFF) }
            }
            @inline(__always) func moveLanes() {
                add(lanes.0, from: 0); add(lanes.1, from: 4); add(lanes.2, from: 1); add(lanes.3, from: 5)
                add(lanes.4, from: 2); add(lanes.5, from: 6); add(lanes.6, from: 3); add(lanes.7, from: 7)
                lanes = (0, 0, 0, 0, 0, 0, 0, 0)
            }
            var i = 0, sinceNibbles = 0, sinceLanes = 0
            while i < shingles {
                let h = shingleHash(bytes[i], bytes[i + 1], bytes[i + 2])
                n0 &+= h & ones; n1 &+= h >> 1 & ones; n2 &+= h >> 2 & ones; n3 &+= h >> 3 & ones
                i += 1; sinceNibbles += 1
                if sinceNibbles == 15 {
                    moveNibbles(); sinceNibbles = 0; sinceLanes += 15
                    if sinceLanes == 255 { moveLanes(); sinceLanes = 0 }
                }
            }
            moveNibbles(); moveLanes()
            // A bit is set when its count is a strict majority: 2·count > shingles.
            var result: UInt64 = 0
            for bit in 0..<64 where 2 * Int(totals[bit]) > shingles { result |= 1 << UInt64(bit) }
            return result
        }
    }

    /// The hash of one 3-byte shingle.
    @inline(__always)
    static func shingleHash(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> UInt64 {
        mum((UInt64(a) | UInt64(b) << 8 | UInt64(c) << 16) ^ p0, p2)
    }

    /// Hamming distance (popcount of xor).
    @inlinable
    public static func distance(_ a: UInt64, _ b: UInt64) -> Int {
        (a ^ b).nonzeroBitCount
    }

    /// Exact-content 64-bit hash (0 for empty, never 0 otherwise, so 0 can mean "no text").
    public static func contentHash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let n = bytes.count
        guard n > 0, let base = bytes.baseAddress else { return 0 }
        let raw = UnsafeRawPointer(base)
        var h = mum(UInt64(n) ^ p0, p1)
        var i = 0
        // Eight bytes at a time; loadUnaligned because UTF-8 buffers have no alignment guarantee.
        while i + 8 <= n {
            let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            h = mum(h ^ word, p1 ^ UInt64(truncatingIfNeeded: i))
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < n {
            tail |= UInt64(base[i]) << shift
            shift += 8
            i += 1
        }
        h = mum(h ^ tail ^ p2, p3)
        h = mum(h, p1)
        return h == 0 ? 1 : h
    }
}
