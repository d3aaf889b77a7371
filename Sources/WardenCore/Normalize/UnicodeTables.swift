import Foundation

/// NFKC with lowercasing, and canonical decompositions, for the blocks chat text actually uses, computed once
/// (a few milliseconds, on first use) into immutable tables. Without them every Cyrillic or accented letter
/// costs a Foundation normalisation call, about a microsecond each; with them, a dictionary lookup.
/// Scalars outside these blocks still go through Foundation, correctly, just slower.
enum UnicodeTables {
    static let blocks: [ClosedRange<UInt32>] = [
        0x00A0...0x052F,   // Latin-1 Supplement .. Cyrillic Supplement
        0x1D00...0x1DBF,   // phonetic extensions
        0x1E00...0x1FFF,   // Latin Extended Additional, Greek Extended
        0x2000...0x24FF,   // punctuation, super/subscripts, letterlike, number forms, enclosed alphanumerics
        0x2C60...0x2C7F, 0xA720...0xA7FF,   // Latin Extended C, D
        0x13A0...0x13FF, 0xAB70...0xABBF,   // Cherokee
        0xFB00...0xFB4F,   // ligatures
        0xFE30...0xFE6F, 0xFF00...0xFFEF,   // compatibility and fullwidth forms
        0x1D400...0x1D7FF, // mathematical alphanumerics
        0x1F100...0x1F1FF, // enclosed alphanumeric supplement
    ]

    /// Scalars that NFKC plus lowercasing changes (those `changesWhenNFKCCaseFolded` flags), and the result.
    static let nfkcCaseFold: [UInt32: [Unicode.Scalar]] = {
        var table: [UInt32: [Unicode.Scalar]] = [:]
        for block in blocks {
            for v in block {
                guard let scalar = Unicode.Scalar(v), scalar.properties.changesWhenNFKCCaseFolded else { continue }
                table[v] = Array(nfkcLowercasedSlowly(scalar).unicodeScalars)
            }
        }
        return table
    }()

    /// Letters with a canonical decomposition (accented letters), decomposed.
    static let decompositions: [UInt32: [Unicode.Scalar]] = {
        var table: [UInt32: [Unicode.Scalar]] = [:]
        for block in [0x00C0...0x024F, 0x0370...0x04FF, 0x1E00...0x1FFF] as [ClosedRange<UInt32>] {
            for v in block {
                guard let scalar = Unicode.Scalar(v) else { continue }
                let parts = Array(String(Character(scalar)).decomposedStringWithCanonicalMapping.unicodeScalars)
                if parts.count > 1 || parts.first != scalar { table[v] = parts }
            }
        }
        return table
    }()

    static func nfkcLowercasedSlowly(_ scalar: Unicode.Scalar) -> String {
        String(Character(scalar)).precomposedStringWithCompatibilityMapping.lowercased()
    }

    static func inBlocks(_ v: UInt32) -> Bool { blocks.contains { $0.contains(v) } }
}
