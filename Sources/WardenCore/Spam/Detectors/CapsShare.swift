/// The `caps` detector's measurement: how much of a message is shouted.
enum CapsShare {
    /// Messages with fewer cased letters than this are never caps spam: "OK", "LOL" or "GG WP" are not shouting.
    static let minimumLetters = 8

    /// Upper-case letters as a percentage (0-100, rounded down) of the cased letters in `content`, or 0
    /// when it has fewer than `minimumLetters` of them. Letters without case (CJK, digits) do not count
    /// either way, so a message in a script without capitals is never caps spam.
    static func percent(of content: String) -> Int {
        var upper = 0, lower = 0
        var ascii = true
        // Plain ASCII chat is the common case: count bytes, no Unicode properties.
        for b in content.utf8 {
            if b >= 0x80 { ascii = false; break }
            if b >= 0x41 && b <= 0x5A { upper += 1 } else if b >= 0x61 && b <= 0x7A { lower += 1 }
        }
        if !ascii {
            upper = 0; lower = 0
            for scalar in content.unicodeScalars {
                let properties = scalar.properties
                if properties.isUppercase { upper += 1 } else if properties.isLowercase { lower += 1 }
            }
        }
        let letters = upper + lower
        guard letters >= minimumLetters else { return 0 }
        return upper * 100 / letters
    }
}
