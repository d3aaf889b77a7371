import Testing
import Foundation
@testable import WardenCore

/// Builds a rule set from inline YAML and evaluates texts against it.
struct Harness {
    let rules: CompiledRuleSet
    let evaluator = MessageEvaluator()

    init(_ yaml: String) throws {
        let (parsed, issues) = RulePack.parse(files: [("test.yaml", yaml)])
        try #require(issues.isEmpty, "\(issues)")
        rules = CompiledRuleSet(rules: parsed.map { RuleSource(id: nil, definition: $0.definition) })
    }

    /// One content rule named "words" with these keywords and allowed words.
    init(keywords: [String], allow: [String] = []) throws {
        func list(_ words: [String]) -> String { "[" + words.map { "'\($0)'" }.joined(separator: ", ") + "]" }
        try self.init("rules:\n  - {name: words, type: content, keywords: \(list(keywords)), allow: \(list(allow))}\n")
    }

    func matches(_ text: String, channel: UInt64 = 10, roles: [UInt64] = []) -> [RuleMatch] {
        let message = DiscordMessage(id: Snowflake(UInt64.random(in: 1...UInt64.max / 2)), guildID: Snowflake(1),
                                     channelID: Snowflake(channel), author: .init(id: Snowflake(7)),
                                     member: .init(roles: roles.map(Snowflake.init)), content: text, timestamp: Date())
        return evaluator.evaluate(message, rules: rules, policy: GuildPolicy()).matches
    }

    func rulesMatching(_ text: String) -> [String] { matches(text).map(\.rule) }
}

@Suite struct KeywordSemanticsTests {
    let harness: Harness
    init() throws {
        harness = try Harness(keywords: ["cat", "dog*", "*fish", "*ass*", "free nitro"], allow: ["class", "classic", "assassin", "bass"])
    }

    @Test func wholeWordUnlessWildcard() {
        #expect(harness.rulesMatching("my cat sat") == ["words"])
        #expect(harness.rulesMatching("concatenate these") == [])      // cat inside a word
        #expect(harness.rulesMatching("doghouse") == ["words"])        // dog*
        #expect(harness.rulesMatching("hotdog") == [])                 // dog* needs a word start
        #expect(harness.rulesMatching("catfish") == ["words"])         // *fish
        #expect(harness.rulesMatching("fishing") == [])                // *fish needs a word end
        #expect(harness.rulesMatching("get free nitro") == ["words"])  // phrase
    }

    @Test func spelledOutWordsAreWordsEvenAfterALoneLetter() throws {
        let spelled = try Harness(keywords: ["cat", "nitro"])
        #expect(spelled.rulesMatching("you are a c.a.t") == ["words"])        // joins to "acat"
        #expect(spelled.rulesMatching("what a c a t!!") == ["words"])
        #expect(spelled.rulesMatching("get n | 1 | t | r | 0 now") == ["words"])
        // Spelled letters are one word: emphasis holds no smaller word, uneven gaps do not part it.
        #expect(spelled.rulesMatching("b o b c a t s") == [])
        #expect(spelled.rulesMatching("C O N C A T") == [])
        #expect(spelled.rulesMatching("c a  t") == ["words"])
        #expect(spelled.rulesMatching("see the b.o.b c.a.t") == ["words"])     // an unusual gap parts words
        #expect(spelled.rulesMatching("concatenate") == [])
        // The word written twice, evenly or unevenly spaced: each copy is a word. Nothing else parts the letters.
        #expect(spelled.rulesMatching("c a t c a t") == ["words"])
        #expect(spelled.rulesMatching("c-a t c.a  t") == ["words"])
        #expect(spelled.rulesMatching("n * i  t/r o n * i  t/r o") == ["words"])
        #expect(spelled.rulesMatching("c a t s c a t s") == [])
        #expect(spelled.rulesMatching("b o b c a t s - i n c") == [])
    }

    /// Text written wholly in Greek or Cyrillic is that language, not lookalikes: ρακί (a drink) and ракі (crayfish)
    /// are not "paki". Mixed with Latin letters, or one Cyrillic letter in a Latin word, they are read as before.
    @Test func greekOrCyrillicWritingIsNotReadAsLatinLookalikes() throws {
        let words = try Harness(keywords: ["paki", "scam"])
        #expect(words.rulesMatching("Πάμε για ρακί;") == [])
        #expect(words.rulesMatching("ΡΑΚΙ ΚΑΙ ΜΕΖΕΔΕΣ") == [])
        #expect(words.rulesMatching("Мы лавілі ракі ўсё лета") == [])
        #expect(words.rulesMatching("you are a ρακί") == ["words"])
        #expect(words.rulesMatching("ѕсаm alert") == ["words"])
        #expect(words.rulesMatching("ѕсаm") == ["words"])   // Cyrillic ѕ с а with a Latin m: lookalikes
        #expect(words.rulesMatching("ракі 🙂 42") == [])
        // Letters counted as written: NFKC's Latin spellings of symbols, modifier letters that are no Latin
        // letter, emoji, flags and the Discord markup no reader sees as text are not Latin ...
        for tail in [", сямʼя была рада", " № 5", " 25 ℃", " 2 ㎏", " ™", " <:kek:123456789012345678>",
                     " <a:dance:123456789012345678>", " <t:1700000000:R>", " <t:1700000000>", " ℹ️", " Ⓜ️ Няміга", " 🅿️ каля рэчкі", " 🇧🇾"] {
            #expect(words.rulesMatching("Мы злавілі ракі ў рацэ" + tail) == [], "\(tail)")
        }
        #expect(words.rulesMatching("Ένα ποτήρι ρακί, αʹ τάξη") == [])
        // ... but whatever reads as a Latin letter is, so one Greek or Cyrillic character cannot hide a Latin word:
        // regional indicators standing alone, APL signs, superscript and subscript letters, markup Discord shows
        // as typed (a name with spaces, a timestamp style it does not know, a command mention's visible name).
        #expect(words.rulesMatching("🇵 🇦 🇰 🇮 привет") == ["words"])
        #expect(words.rulesMatching("🇸 🇨 🇦 🇲 ты") == ["words"])
        #expect(words.rulesMatching("ту ⍴⍺кі") == ["words"])
        #expect(words.rulesMatching("ᵖᵃᵏⁱ ы") == ["words"])
        #expect(words.rulesMatching("ₚₐₖᵢ ы") == ["words"])
        #expect(words.rulesMatching("ᴾᴬᴷᴵ ы") == ["words"])
        #expect(words.rulesMatching("<t:1700000000:paki> ы") == ["words"])
        #expect(words.rulesMatching("<:you are a paki:1> ы") == ["words"])
        #expect(words.rulesMatching("</go home paki:123456789012345678> ы") == ["words"])
        // Greek or Cyrillic writing needs one of their letters, not a modifier letter or a mark.
        #expect(words.rulesMatching("ᵖᵃᵏⁱʹ") == ["words"])
        #expect(words.rulesMatching("ᵖᵃᵏⁱ \u{2DE0}") == ["words"])
        #expect(words.rulesMatching("ᵖᵃᵏⁱ ꚜ") == ["words"])
        // A link is Latin letters; markup that is not Discord's is text.
        #expect(words.rulesMatching("ракі https://example.by") == ["words"])
        #expect(words.rulesMatching("ракі <kek>") == ["words"])
        // A Cyrillic keyword: read for lookalikes beside Latin letters; in Cyrillic writing, on the written views.
        let russian = try Harness("""
        rules:
          - {name: lookalikes, type: content, keywords: [сука]}
          - {name: written, type: content, keywords: [сука], views: [folded]}
        """)
        #expect(Set(russian.rulesMatching("lol сука")) == ["lookalikes", "written"])
        #expect(russian.rulesMatching("ты сука") == ["written"])
    }

    /// A lookalike with a second reading: the message is judged read both ways (ſ is an "s" and an "f", Γ an
    /// "r" and a "y"), on keywords and patterns, in messages and members' names alike.
    @Test func lookalikesAreJudgedInBothReadings() throws {
        let both = try Harness("""
        rules:
          - name: words
            type: content
            keywords: [fake, sale, pray]
          - name: pattern
            type: regex
            patterns: ['\\bf[o0]rged\\b']
            views: [skeleton]
        """)
        #expect(both.rulesMatching("ſake") == ["words"])          // read as "fake"
        #expect(both.rulesMatching("ſale") == ["words"])          // read as "sale"
        #expect(both.rulesMatching("ρraΓ") == ["words"])          // pray, Γ as y
        #expect(both.rulesMatching("ſςrged") == ["pattern"])      // forged: ſ as f and ς as o in one word
        #expect(both.rulesMatching("ſςrge") == [])
        // A match through the other reading must hold a letter read that way: "ſcat" is an allowed "scat", and
        // its "cat" is no match because "fcat" holds one.
        let allowing = try Harness(keywords: ["*cat*"], allow: ["scat*"])
        #expect(allowing.rulesMatching("ſcat") == [])
        #expect(allowing.rulesMatching("ſcat cat") == ["words"])
        let match = try #require(both.matches("a ſake one").first)
        #expect(match.evidence.text == "ſake")
    }

    @Test func lookalikeViewsReadIAndLAlikeButWrittenViewsDoNot() throws {
        let alike = try Harness("""
        rules:
          - name: skeleton
            type: content
            keywords: [lick]
          - name: raw
            type: content
            views: [raw]
            keywords: [lick]
        """)
        #expect(alike.rulesMatching("l1ck") == ["skeleton"])    // leet "1" stands for l here
        #expect(alike.rulesMatching("\u{399}ick") == ["skeleton"])  // Greek capital iota, lowercased to ι then i
        #expect(alike.rulesMatching("1ick") == ["skeleton"])
        #expect(alike.rulesMatching("Iick") == ["skeleton"])    // a capital I may be an l
        #expect(alike.rulesMatching("lick") == ["skeleton", "raw"])
        #expect(alike.rulesMatching("iick") == [])              // a plainly typed i is an i
        #expect(alike.rulesMatching("slick") == [])
    }

    @Test func spelledOutPhrasesMatchWithOrWithoutTheGapBetweenWords() throws {
        let phrases = try Harness("""
        rules:
          - name: phrase
            type: content
            keywords: ["free nitro"]
        """)
        #expect(phrases.rulesMatching("get f.r.e.e n.i.t.r.o now") == ["phrase"])   // the space parts the words
        #expect(phrases.rulesMatching("get f r e e n i t r o now") == ["phrase"])   // no gap tells them apart
        #expect(phrases.rulesMatching("get freenitro now") == [])                   // typed as one word: not the phrase
    }

    @Test func allowListDropsHitsInsideAllowedWords() {
        #expect(harness.rulesMatching("a classic assassin plays bass in class") == [])
        #expect(harness.rulesMatching("what a badass") == ["words"])
    }

    @Test func controlCharactersDoNotSplitWords() {
        #expect(harness.rulesMatching("c\u{01}at") == ["words"])
        #expect(harness.rulesMatching("c\u{7F}at") == ["words"])
        #expect(harness.rulesMatching("c\u{7F}at ☀") == ["words"])
    }

    @Test func caseInsensitiveAndEvasionResistant() {
        #expect(harness.rulesMatching("CAT") == ["words"])
        #expect(harness.rulesMatching("сat") == ["words"])              // Cyrillic с
        #expect(harness.rulesMatching("c\u{200B}at") == ["words"])      // zero-width
        #expect(harness.rulesMatching("caaaat") == ["words"])           // elongation
        #expect(harness.rulesMatching("c a t") == ["words"])            // spacing
    }

    @Test func evidenceNamesTheViewAndTheOriginalSpan() throws {
        let match = try #require(harness.matches("well, ｃａｔ!").first)
        #expect(match.evidence.text == "ｃａｔ")
        #expect(match.evidence.start == 6 && match.evidence.end == 9)
        #expect(match.evidence.view == .skeleton)
        #expect(match.evidence.keyword == "cat")
    }
}

@Suite struct CollapsedRunTests {
    @Test func doubledLettersAreNotElongations() throws {
        let harness = try Harness("""
        rules:
          - name: god
            type: content
            keywords: [god]
            views: [collapsed]
        """)
        #expect(harness.rulesMatching("good morning") == [])
        #expect(harness.rulesMatching("goooood") == ["god"])
        #expect(harness.rulesMatching("god") == ["god"])
    }

    @Test func longKeywordsAcceptDoubledLetters() throws {
        let harness = try Harness("rules:\n  - {name: long, type: content, keywords: [bananas], views: [collapsed]}\n")
        #expect(harness.rulesMatching("baananas") == ["long"])
        #expect(harness.rulesMatching("bananass") == ["long"])
        #expect(harness.rulesMatching("banas") == [])
    }
}

@Suite struct ScopeTests {
    @Test func exemptRolesChannelsAndChannelLists() throws {
        let harness = try Harness("""
        rules:
          - name: invites
            type: regex
            patterns: ['discord\\.gg/\\w+']
            exempt_roles: ["900"]
            exempt_channels: ["20"]
          - name: only-in-30
            type: content
            keywords: [banana]
            channels: ["30"]
        """)
        #expect(harness.matches("discord.gg/abc").map(\.rule) == ["invites"])
        #expect(harness.matches("discord.gg/abc", roles: [900]).isEmpty)
        #expect(harness.matches("discord.gg/abc", channel: 20).isEmpty)
        #expect(harness.matches("banana", channel: 10).isEmpty)
        #expect(harness.matches("banana", channel: 30).map(\.rule) == ["only-in-30"])
    }

    @Test func botsAndGuildExemptionsAreSkipped() throws {
        let harness = try Harness("rules:\n  - {name: x, type: content, keywords: [scam]}\n")
        let bot = DiscordMessage(id: Snowflake(1), guildID: Snowflake(1), channelID: Snowflake(2),
                                 author: .init(id: Snowflake(3), bot: true), content: "scam", timestamp: Date())
        #expect(harness.evaluator.evaluate(bot, rules: harness.rules, policy: GuildPolicy()).skipped == "bot")
        var human = bot
        human.author.bot = false
        #expect(harness.evaluator.evaluate(human, rules: harness.rules, policy: GuildPolicy(exemptChannels: [Snowflake(2)])).skipped == "exempt_channel")
        #expect(harness.evaluator.evaluate(human, rules: harness.rules, policy: GuildPolicy()).matches.count == 1)
    }
}

@Suite struct RegexRuleTests {
    /// With a lookalike of two readings in the text (ς) the rule runs in the first reading only: one failure a message.
    @Test(arguments: ["! banana", "! banana ς"]) func catastrophicRuleErrorsAndIsDisabledAfterRepeatedHits(_ tail: String) throws {
        let harness = try Harness("""
        rules:
          - name: evil
            type: regex
            patterns: ['(a+)+$']
            views: [folded]
          - name: fine
            type: content
            keywords: [banana]
        """)
        let text = String(repeating: "a", count: 3990) + tail
        var sawDisable = false
        for round in 1...CompiledRule.failuresBeforeDisable {
            let message = DiscordMessage(id: Snowflake(UInt64(round)), guildID: Snowflake(1), channelID: Snowflake(2),
                                         author: .init(id: Snowflake(3)), content: text, timestamp: Date())
            let evaluation = harness.evaluator.evaluate(message, rules: harness.rules, policy: GuildPolicy())
            #expect(evaluation.matches.map(\.rule) == ["fine"], "a limit hit must not hide other rules")
            let failure = try #require(evaluation.failures.first)
            #expect(failure.rule == "evil" && failure.code == "match_limit")
            // Disabled exactly on the last allowed failure, and only then.
            #expect(failure.disabled == (round == CompiledRule.failuresBeforeDisable))
            if failure.disabled { sawDisable = true }
            let decision = Decider.decide(message: message, matches: evaluation.matches, failures: evaluation.failures,
                                          escalation: nil, step: nil, policy: GuildPolicy(), now: Date())
            #expect(decision.errors.count == 1)
            let alertsDisabling = decision.actions.contains { $0.type == .alert && ($0.content ?? "").contains("disabled rule(s) 'evil'") }
            #expect(alertsDisabling == failure.disabled)
        }
        #expect(sawDisable)
        #expect(harness.rules.rules[0].isDisabled)
    }

    /// A pattern that fails only on the second reading of a two-reading lookalike (ſ read as "f") fails once a
    /// message, is disabled on its last allowed failure, and the moderators are alerted once, then.
    @Test func aRuleFailingOnlyInTheSecondReadingIsDisabledAndAlertedOnce() throws {
        let harness = try Harness("""
        rules:
          - name: evil
            type: regex
            patterns: ['(f+)+$']
            views: [skeleton]
          - name: fine
            type: content
            keywords: [banana]
        """)
        // Read first as "sss…s!", which holds no "f": the pattern runs only on the second reading.
        let text = String(repeating: "ſ", count: 3990) + "! banana"
        var alerts = 0
        for round in 1...CompiledRule.failuresBeforeDisable {
            let message = DiscordMessage(id: Snowflake(UInt64(round)), guildID: Snowflake(1), channelID: Snowflake(2),
                                         author: .init(id: Snowflake(3)), content: text, timestamp: Date())
            let evaluation = harness.evaluator.evaluate(message, rules: harness.rules, policy: GuildPolicy())
            #expect(evaluation.matches.map(\.rule) == ["fine"])
            #expect(evaluation.failures.map(\.rule) == ["evil"], "one failure a message, round \(round)")
            let failure = try #require(evaluation.failures.first)
            #expect(failure.code == "match_limit" && failure.disabled == (round == CompiledRule.failuresBeforeDisable))
            let decision = Decider.decide(message: message, matches: evaluation.matches, failures: evaluation.failures,
                                          escalation: nil, step: nil, policy: GuildPolicy(), now: Date())
            alerts += decision.actions.filter { $0.type == .alert && ($0.content ?? "").contains("disabled rule(s) 'evil'") }.count
        }
        #expect(alerts == 1)
        #expect(harness.rules.rules[0].isDisabled)
        // Disabled, it fails no more.
        let after = DiscordMessage(id: Snowflake(999), guildID: Snowflake(1), channelID: Snowflake(2),
                                   author: .init(id: Snowflake(3)), content: text, timestamp: Date())
        #expect(harness.evaluator.evaluate(after, rules: harness.rules, policy: GuildPolicy()).failures.isEmpty)
    }

    @Test func prefilterSkipsPatternsWhoseLiteralIsAbsentButKeepsResults() throws {
        var yaml = "rules:\n"
        for i in 0..<300 { yaml += "  - {name: r\(i), type: regex, patterns: ['word\(i)x\\s+thing']}\n" }
        let harness = try Harness(yaml)
        #expect(harness.rules.alwaysRunPatternCount == 0)
        #expect(harness.rulesMatching("say word42x   thing") == ["r42"])
        #expect(harness.rulesMatching("nothing to see") == [])
    }
}
