/// Lookalike characters mapped to the Latin letters they imitate: the part of the UTS #39 confusable
/// skeleton that matters for evasion in chat (Cyrillic, Greek, Armenian, small capitals, enclosed letters,
/// regional indicators). NFKC already handles fullwidth forms and mathematical alphanumerics, and the views
/// are lowercased before this map applies, so only lowercase forms appear here.
enum Confusables {
    static func skeleton(of scalar: Unicode.Scalar) -> String? {
        let v = scalar.value
        // Regional indicators (🇦..🇿), negative circled (🅐..🅩) and negative squared (🅰..🆉) letters.
        if (0x1F1E6...0x1F1FF).contains(v) { return letter(v - 0x1F1E6) }
        if (0x1F150...0x1F169).contains(v) { return letter(v - 0x1F150) }
        if (0x1F170...0x1F189).contains(v) { return letter(v - 0x1F170) }
        return table[v]
    }

    private static func letter(_ offset: UInt32) -> String? {
        Unicode.Scalar(0x61 + offset).map { String(Character($0)) }
    }

    private static let table: [UInt32: String] = {
        let pairs: [(String, String)] = [
            // Cyrillic (lowercase; uppercase forms arrive lowercased)
            ("а", "a"), ("б", "b"), ("в", "b"), ("г", "r"), ("д", "d"), ("е", "e"), ("ё", "e"), ("ѐ", "e"),
            ("з", "3"), ("к", "k"), ("м", "m"), ("н", "h"), ("о", "o"),
            ("п", "n"), ("р", "p"), ("с", "c"), ("т", "t"), ("у", "y"), ("ў", "y"), ("х", "x"),
            ("ъ", "b"), ("ь", "b"), ("э", "e"),
            ("є", "e"), ("ѕ", "s"), ("і", "i"), ("ї", "i"), ("ј", "j"), ("ћ", "h"),
            ("ђ", "h"), ("ԁ", "d"), ("һ", "h"), ("ԛ", "q"), ("ԝ", "w"), ("ӏ", "l"), ("ҫ", "c"), ("ү", "y"),
            ("ұ", "y"), ("ҳ", "x"), ("ӧ", "o"), ("ӓ", "a"), ("ӗ", "e"), ("ԍ", "g"), ("ԃ", "d"), ("ѵ", "v"),
            // Greek
            ("α", "a"), ("ά", "a"), ("β", "b"), ("γ", "y"), ("ε", "e"), ("έ", "e"), ("ζ", "z"),
            ("η", "n"), ("ή", "n"), ("θ", "o"), ("ι", "i"), ("ί", "i"), ("ϊ", "i"), ("κ", "k"), ("λ", "l"),
            ("μ", "u"), ("ν", "v"), ("ο", "o"), ("ό", "o"), ("π", "n"), ("ρ", "p"), ("σ", "o"),
            ("ς", "s"), ("τ", "t"), ("υ", "u"), ("ύ", "u"), ("χ", "x"), ("ω", "w"),
            ("ώ", "w"), ("ϲ", "c"), ("ϳ", "j"), ("ϸ", "b"),
            // Armenian
            ("օ", "o"), ("ս", "u"), ("ց", "g"), ("հ", "h"), ("ո", "n"), ("ռ", "n"), ("ա", "w"), ("զ", "q"),
            ("ք", "p"), ("ւ", "l"), ("ɡ", "g"),
            // Latin lookalikes and small capitals
            ("ı", "i"), ("ȷ", "j"), ("ɑ", "a"), ("ɩ", "i"), ("ɪ", "i"), ("ʀ", "r"), ("ʏ", "y"), ("ᴀ", "a"),
            ("ʙ", "b"), ("ᴄ", "c"), ("ᴅ", "d"), ("ᴇ", "e"), ("ꜰ", "f"), ("ɢ", "g"), ("ʜ", "h"), ("ᴊ", "j"),
            ("ᴋ", "k"), ("ʟ", "l"), ("ᴍ", "m"), ("ɴ", "n"), ("ᴏ", "o"), ("ᴘ", "p"), ("ꜱ", "s"), ("ᴛ", "t"),
            ("ᴜ", "u"), ("ᴠ", "v"), ("ᴡ", "w"), ("ᴢ", "z"), ("ø", "o"), ("đ", "d"), ("ħ", "h"), ("ł", "l"),
            ("ŧ", "t"), ("ß", "ss"), ("æ", "ae"), ("œ", "oe"), ("ƅ", "b"), ("ɓ", "b"), ("ƈ", "c"), ("ɗ", "d"),
            ("ƒ", "f"), ("ɠ", "g"), ("ɦ", "h"), ("ƙ", "k"), ("ɱ", "m"), ("ɲ", "n"), ("ƥ", "p"), ("ʠ", "q"),
            ("ʂ", "s"), ("ƭ", "t"), ("ʋ", "v"), ("ⱳ", "w"), ("ƴ", "y"), ("ȥ", "z"), ("ꞵ", "b"), ("ɛ", "e"),
            ("ɔ", "c"), ("ʊ", "u"),
            // Lisu capitals (Latin-shaped letters)
            ("ꓐ", "b"), ("ꓑ", "p"), ("ꓒ", "d"), ("ꓓ", "d"), ("ꓔ", "t"), ("ꓖ", "g"), ("ꓗ", "k"), ("ꓙ", "j"),
            ("ꓚ", "c"), ("ꓜ", "z"), ("ꓝ", "f"), ("ꓟ", "m"), ("ꓠ", "n"), ("ꓡ", "l"), ("ꓢ", "s"), ("ꓣ", "r"),
            ("ꓦ", "v"), ("ꓧ", "h"), ("ꓪ", "w"), ("ꓫ", "x"), ("ꓬ", "y"), ("ꓮ", "a"), ("ꓰ", "e"), ("ꓲ", "i"),
            ("ꓳ", "o"), ("ꓴ", "u"),
            // Canadian syllabics used as letters
            ("ᗩ", "a"), ("ᗷ", "b"), ("ᑕ", "c"), ("ᗪ", "d"), ("ᕮ", "e"), ("ᖴ", "f"), ("ᕼ", "h"), ("ᒍ", "j"),
            ("ᒪ", "l"), ("ᗰ", "m"), ("ᑎ", "n"), ("ᑭ", "p"), ("ᑫ", "q"), ("ᖇ", "r"), ("ᔕ", "s"), ("ᑌ", "u"),
            ("ᐯ", "v"), ("ᗯ", "w"), ("᙭", "x"), ("ᖻ", "y"), ("ᘔ", "z"), ("ᑯ", "d"), ("ᑲ", "b"),
            // Punctuation that imitates URL syntax
            ("․", "."), ("‧", "."), ("∙", "."), ("・", "."), ("･", "."), ("。", "."), ("⁄", "/"), ("∕", "/"),
            ("⧸", "/"), ("：", ":"),
        ]
        // Cherokee capitals look like Latin ones; the views are lowercased first, which maps them to
        // Cherokee small letters (U+AB70...), so both forms are listed.
        let cherokee: [(String, String)] = [
            ("Ꭺ", "a"), ("Ᏼ", "b"), ("Ꮯ", "c"), ("Ꭰ", "d"), ("Ꭼ", "e"), ("Ꮐ", "g"), ("Ꮋ", "h"), ("Ꭵ", "i"),
            ("Ꭻ", "j"), ("Ꮶ", "k"), ("Ꮮ", "l"), ("Ꮇ", "m"), ("Ꮲ", "p"), ("Ꭱ", "r"), ("Ꮪ", "s"), ("Ꭲ", "t"),
            ("Ꮩ", "v"), ("Ꮃ", "w"), ("Ꮓ", "z"), ("Ꮎ", "o"),
        ]
        var map: [UInt32: String] = [:]
        for (from, to) in pairs {
            for scalar in from.unicodeScalars { map[scalar.value] = to }
        }
        for (from, to) in cherokee {
            for scalar in from.unicodeScalars {
                map[scalar.value] = to
                for lower in scalar.properties.lowercaseMapping.unicodeScalars { map[lower.value] = to }
            }
        }
        return map
    }()
}
