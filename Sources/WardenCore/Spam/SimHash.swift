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
        // Per-bit counts of set bits, kept as 8 vectors of 8 lanes so that one table lookup per hash byte
        // adds eight counters at once. 16-bit lanes halve the vector work; they are flushed into 32-bit
        // totals every `chunk` shingles so no text length can overflow them.
        var t0 = SIMD8<Int32>(), t1 = SIMD8<Int32>(), t2 = SIMD8<Int32>(), t3 = SIMD8<Int32>()
        var t4 = SIMD8<Int32>(), t5 = SIMD8<Int32>(), t6 = SIMD8<Int32>(), t7 = SIMD8<Int32>()
        let chunk = Int(Int16.max)
        var i = 0
        byteBits.withUnsafeBufferPointer { table in
            while i < shingles {
                let end = min(shingles, i + chunk)
                var c0 = SIMD8<Int16>(), c1 = SIMD8<Int16>(), c2 = SIMD8<Int16>(), c3 = SIMD8<Int16>()
                var c4 = SIMD8<Int16>(), c5 = SIMD8<Int16>(), c6 = SIMD8<Int16>(), c7 = SIMD8<Int16>()
                while i < end {
                    let packed = UInt64(bytes[i]) | UInt64(bytes[i + 1]) << 8 | UInt64(bytes[i + 2]) << 16
                    let h = mum(packed ^ p0, p2)
                    c0 &+= table[Int(truncatingIfNeeded: h) & 0xff]
                    c1 &+= table[Int(truncatingIfNeeded: h >> 8) & 0xff]
                    c2 &+= table[Int(truncatingIfNeeded: h >> 16) & 0xff]
                    c3 &+= table[Int(truncatingIfNeeded: h >> 24) & 0xff]
                    c4 &+= table[Int(truncatingIfNeeded: h >> 32) & 0xff]
                    c5 &+= table[Int(truncatingIfNeeded: h >> 40) & 0xff]
                    c6 &+= table[Int(truncatingIfNeeded: h >> 48) & 0xff]
                    c7 &+= table[Int(truncatingIfNeeded: h >> 56) & 0xff]
                    i += 1
                }
                t0 &+= SIMD8<Int32>(truncatingIfNeeded: c0)
                t1 &+= SIMD8<Int32>(truncatingIfNeeded: c1)
                t2 &+= SIMD8<Int32>(truncatingIfNeeded: c2)
                t3 &+= SIMD8<Int32>(truncatingIfNeeded: c3)
                t4 &+= SIMD8<Int32>(truncatingIfNeeded: c4)
                t5 &+= SIMD8<Int32>(truncatingIfNeeded: c5)
                t6 &+= SIMD8<Int32>(truncatingIfNeeded: c6)
                t7 &+= SIMD8<Int32>(truncatingIfNeeded: c7)
            }
        }
        // A bit is set when its count is a strict majority: 2·count > shingles (Int32 is ample for 2·count:
        // a buffer of a billion bytes is not a Discord message).
        let half = SIMD8<Int32>(repeating: Int32(clamping: shingles))
        @inline(__always) func byte(_ c: SIMD8<Int32>) -> UInt64 {
            let mask = (c &* 2) .> half
            var b: UInt64 = 0
            for lane in 0..<8 where mask[lane] { b |= 1 << UInt64(lane) }
            return b
        }
        return byte(t0) | byte(t1) << 8 | byte(t2) << 16 | byte(t3) << 24
            | byte(t4) << 32 | byte(t5) << 40 | byte(t6) << 48 | byte(t7) << 56
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

    /// For each byte value, a lane vector with 1 where the bit is set: turns a hash byte into counter increments.
    private static let byteBits: [SIMD8<Int16>] = (0..<256).map { value in
        var lanes = SIMD8<Int16>()
        for bit in 0..<8 where value & (1 << bit) != 0 { lanes[bit] = 1 }
        return lanes
    }
}
