import Testing
@testable import WardenCore

@Suite struct NormalizerTests {
    let normalizer = Normalizer()

    func view(_ text: String, _ kind: ViewKind) -> String {
        let n = normalizer.normalize(text, views: ViewSet([kind]))
        return String(decoding: n.view(kind)?.bytes ?? [], as: UTF8.self)
    }

    @Test func asciiFoldsCaseOnly() {
        #expect(view("Free NITRO now", .folded) == "free nitro now")
        #expect(view("Free NITRO now", .skeleton) == "free nitro now")
    }

    @Test func fullwidthAndMathematicalLettersBecomeASCII() {
        #expect(view("ｆｒｅｅ ｎｉｔｒｏ", .nfkc) == "free nitro")
        #expect(view("𝐟𝐫𝐞𝐞 𝓷𝓲𝓽𝓻𝓸", .nfkc) == "free nitro")
    }

    @Test func zeroWidthBidiAndZalgoAreStripped() {
        #expect(view("fr\u{200B}ee ni\u{200D}tro\u{FE0F}", .stripped) == "free nitro")
        #expect(view("n\u{202E}itro", .stripped) == "nitro")
        #expect(view("f\u{0334}\u{0353}r\u{0336}e\u{0301}\u{0489}e", .stripped) == "free")
        #expect(view("café", .stripped) == "cafe")
    }

    @Test func confusablesMapToLatinSkeleton() {
        // Cyrillic е and і, Greek ο.
        #expect(view("frее nіtrο", .skeleton) == "free nitro")
        #expect(view("ЅТЕАМ", .skeleton) == "steam")
        #expect(view("🇫🇷🇪🇪", .skeleton) == "free")
    }

    @Test func fullUnicodeConfusablesDataIsUsed() {
        // Outside Warden's own list: Carian, Miao, Lisu, Warang Citi, Latin with hooks, mathematical letters.
        #expect(view("\u{102A0}\u{16F40}ꓢ", .skeleton) == "aas")          // 𐊠 (Carian A), 𖽀 (Miao), ꓢ (Lisu S)
        #expect(view("ƭɦ", .skeleton) == "th")
        #expect(view("𝘧𝘳𝘦𝘦", .skeleton) == "free")
        // Letters whose lowercase or NFKC form imitates another letter are read as written.
        #expect(view("ΥΝΗ", .skeleton) == "ynh")                             // Greek capitals, not "uvn"
        #expect(view("\u{03F9}\u{03F2}", .skeleton) == "cc")                 // lunate sigmas, not Σ and ς
        #expect(view("υνη", .skeleton) == "uvn")                             // their lowercase as they look
        // What NFKC already made a letter keeps that letter: fullwidth capitals, long s.
        #expect(view("ＦＲＥＥ ＮＩＴＲＯ", .skeleton) == "free nitro")
        #expect(view("aſſ", .skeleton) == "ass")
        // Digits of living scripts become ASCII digits (letters only inside words), currency signs stay.
        #expect(view("bl०wjob €5 ١٠٥", .leet) == "blowjob €5 1٠0")
        // Against a Latin letter (or a lookalike of one) a currency sign, such a digit or a symbol evasion tools
        // use is the letter it imitates: ₽ an f, Arabic-Indic ٧ a v, APL's ⍥ an o. Amounts and numbers stay.
        #expect(view("₽anny ₽ȉng pissof₽ in٧ite c⍥m", .skeleton) == "fanny fing pissoff invite com")
        #expect(view("₽500 5₽ ₽ ١٠٧ ٧", .skeleton) == "₽500 5₽ ₽ 1٠٧ ٧")   // ١ is an l-shaped digit: 1
        #expect(view("¥es", .skeleton) == "yes")
        // Only touching a Latin-written word and no digit: a currency code before an amount, something invisible,
        // a flag, Persian text.
        #expect(view("JP¥455 ok\u{200B}₽500 🇷🇺₽", .skeleton) == "jp¥455 ok₽500 ru₽")
        #expect(view("۲۷ام", .skeleton).contains("۷") && view("صفحه۷", .skeleton).hasSuffix("۷"))
        #expect(view("\u{037A}", .skeleton) == "i")                          // ypogegrammeni, which NFKC makes " ͅ"
        // A lookalike of a lookalike: ∩ is Armenian Ո in the data, whose lowercase ո is an n.
        #expect(view("∩", .skeleton) == "n")
        // A Latin letter with a hook the data leaves alone, read by its Unicode name.
        #expect(view("ƫ", .skeleton) == "t")
        // Lisu ꓤ is a "u" to evasion tools; × and ⨯ are an "x" inside a word, a product between numbers.
        #expect(view("ꓤ ᙭× 3×4 a⨯b", .skeleton) == "u xx 3×4 axb")
        // Parenthesized letters are the letter (NFKC spells them out with parentheses).
        #expect(view("⒟⒤⒮⒞⒪⒭⒟.⒢⒢/abc (a)", .skeleton) == "discord.gg/abc (a)")
    }

    /// Lookalikes with two readings: the skeleton keeps Unicode's, says the text has another, and the
    /// alternate reading gives the evasion tools' one for every such lookalike, and only for them.
    @Test func lookalikesWithTwoReadings() {
        let first = normalizer.normalize("ſΓ Гς Ʃ Ꮁ Ⲅ", views: ViewSet([.skeleton]))
        #expect(first.hasAlternateReading)
        #expect(String(decoding: first.view(.skeleton)?.bytes ?? [], as: UTF8.self) == "sr rs ʃ r r")
        let alternate = normalizer.alternateReading(of: normalizer.normalize("ſΓ Гς Ʃ Ꮁ Ⲅ ǫ", views: ViewSet([.skeleton])), views: ViewSet([.skeleton]))
        #expect(String(decoding: alternate.view(.skeleton)?.bytes ?? [], as: UTF8.self) == "fy yo o y y o")
        // Its evidence still points at the original characters.
        #expect(alternate.originalText(alternate.originalRange(in: .skeleton, 0, 2)) == "ſΓ")
        #expect(!normalizer.normalize("plain ascii", views: ViewSet([.skeleton])).hasAlternateReading)
        #expect(!normalizer.normalize("ℱαкε ñ", views: ViewSet([.skeleton])).hasAlternateReading)
    }

    @Test func leetspeakFoldsOnlyInsideWords() {
        #expect(view("fr33 n1tr0", .leet) == "free nitro")
        #expect(view("h@ck the $y$tem!", .leet) == "hack the system!")   // "$" is never punctuation
        // Punctuation after a word stays punctuation; symbols inside it are letters.
        #expect(view("word!! w0rd?! sh!t!!", .leet) == "word!! word?! shit!!")
        #expect(view("a$$ b4ll$", .leet) == "ass balls")
        #expect(view("p3n!$? $|ut", .leet) == "penis? slut")
        #expect(view("I have 10 apples", .leet) == "i have 10 apples")
        #expect(view("@everyone hello!", .leet) == "@everyone hello!")
    }

    @Test func collapsedRemembersRunLengths() {
        let n = normalizer.normalize("freeeee good", views: ViewSet([.collapsed]))
        let v = n.view(.collapsed)
        #expect(v.map { String(decoding: $0.bytes, as: UTF8.self) } == "fre god")
        #expect(v?.runLengths == [1, 1, 5, 1, 1, 2, 1])
    }

    @Test func spacedOutLettersAreJoined() {
        #expect(view("f r e e n i t r o", .joined) == "freenitro")
        #expect(view("get f.r.e.e nitro", .joined) == "get free nitro")
        #expect(view("a normal sentence is unchanged", .joined) == "a normal sentence is unchanged")
        // Any run of spacers, "|" and "!" between letters, punctuation after the last letter, leetspeak.
        #expect(view("f | r | e | e nitro", .joined) == "free nitro")
        #expect(view("f__r--e..e!!", .joined) == "free!!")
        #expect(view("s h ! t", .joined) == "shit")
        #expect(view("n|1|t|r|0", .joined) == "nitro")
        // Uneven gaps, a zero-width character among them, still join.
        #expect(view("f\u{200B}r.e  e", .joined) == "free")
        // A word written twice starts again where the copy does, whatever the gap; nothing else parts it.
        func starts(_ text: String) -> [Bool]? {
            normalizer.normalize(text, views: ViewSet([.joined])).view(.joined)?.spelled.map { $0 == .wordStart }
        }
        #expect(starts("p-a w n p-a w n") == [true, true, false, false, true, true, false, false])
        #expect(starts("H E L L O H E L L O") == [true, false, false, false, false, true, false, false, false, false])
        #expect(starts("H E L L O") == [true, false, false, false, false])
        #expect(starts("P A K I S T A N - I N D I A") == [true] + Array(repeating: false, count: 7) + [true, false, false, false, false])
        // A word whose letters are merely accented is no spelled word.
        #expect(view("café au lait", .joined) == "cafe au lait")
    }

    @Test func linksArePercentDecodedAndListed() {
        let n = normalizer.normalize("join https://discord.gg/%61bc now, also https://example.com/x.", views: ViewSet([.links]))
        #expect(n.links == ["https://discord.gg/abc", "https://example.com/x"])
        #expect(n.inviteCount == 1)
    }

    @Test func spansMapBackToTheOriginalText() {
        let text = "hey ｆｒｅｅ ｎｉｔｒｏ!"
        let n = normalizer.normalize(text, views: ViewSet([.skeleton]))
        let skeleton = try! #require(n.view(.skeleton))
        let s = String(decoding: skeleton.bytes, as: UTF8.self)
        let start = s.utf8.count - "free nitro!".utf8.count
        let original = skeleton.originalRange(start, start + "free nitro".utf8.count)
        #expect(n.originalText(original) == "ｆｒｅｅ ｎｉｔｒｏ")
        #expect(n.scalarOffsets(original) == 4..<14)
    }
}

@Suite struct ConfusableScriptTests {
    @Test(arguments: [("ꓠꓲꓖꓖꓰꓣ", "nigger"), ("ᑎIGGEᖇ", "nigger"), ("ᏚᎢᎬᎪᎷ", "steam"), ("discord・gg", "discord.gg"), ("discord。gg", "discord.gg")])
    func lookalikeScriptsFoldToLatin(_ pair: (String, String)) {
        let n = Normalizer().normalize(pair.0, views: ViewSet([.skeleton]))
        #expect(String(decoding: n.view(.skeleton)?.bytes ?? [], as: UTF8.self) == pair.1)
    }
}

@Suite struct UnicodeTableTests {
    /// The precomputed tables must give exactly what Foundation gives, scalar by scalar.
    @Test func tablesAgreeWithFoundation() {
        var checked = 0
        for block in UnicodeTables.blocks {
            for v in block {
                guard let scalar = Unicode.Scalar(v), scalar.properties.changesWhenNFKCCaseFolded else { continue }
                #expect(UnicodeTables.nfkcCaseFold[v].map { String(String.UnicodeScalarView($0)) } == UnicodeTables.nfkcLowercasedSlowly(scalar))
                checked += 1
            }
        }
        #expect(checked > 1000)
        #expect(UnicodeTables.decompositions[0xE9].map { $0.map(\.value) } == [0x65, 0x301])   // é
        #expect(UnicodeTables.decompositions[0x0430] == nil)                                   // Cyrillic а has none
    }
}

@Suite struct CollapsedSpanTests {
    @Test func evidenceOnTheCollapsedViewPointsAtTheElongatedOriginal() throws {
        let harness = try Harness("rules:\n  - {name: w, type: content, keywords: [scam], views: [collapsed]}\n")
        let match = try #require(harness.matches("total ｓｃａａａａｍ here").first)
        #expect(match.evidence.view == .collapsed)
        #expect(match.evidence.text == "ｓｃａａａａｍ")
        #expect(match.evidence.start == 6 && match.evidence.end == 13)
    }
}

@Suite struct LeetDigitTests {
    @Test func nineReadsAsG() {
        let n = Normalizer().normalize("ni99a pl4y", views: ViewSet([.leet]))
        #expect(String(decoding: n.view(.leet)?.bytes ?? [], as: UTF8.self) == "nigga play")
    }
}
