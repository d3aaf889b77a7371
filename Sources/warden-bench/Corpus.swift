import Foundation
import WardenCore
import WardenTestSupport

/// Realistic chat: ordinary sentences of varied length, links, mentions, emoji, some non-Latin text,
/// and a small share of scams, invites and evasions, from a few thousand members over many channels.
enum Corpus {
    static let words = """
    the a to and of is in it you that for on with this was but are have be not just so like what lol can do get
    game play server anyone know how time one good new think im when out up all no yes about would my your we
    they there their if or ok okay thanks thank guys today tonight tomorrow week patch update bug fix build rank
    match team queue lobby map skin mod mods stream video clip music song album artist movie show episode season
    discord channel role admin help question answer issue problem error crash lag fps ping server client version
    work school class homework exam study book read write code swift python rust java linux windows mac phone
    food pizza coffee tea dinner lunch breakfast sleep tired happy sad funny cool nice great awesome bad worse
    """.split(whereSeparator: \.isWhitespace).map(String.init)
    static let emoji = ["😂", "🔥", "👍", "❤️", "😭", "🎉", "👀", "💀", "<:pepe:123456789012345678>"]
    static let foreign = ["привет всем, как дела?", "こんにちは、元気ですか", "¿alguien juega esta noche?", "Größe ändern bitte",
                          "καλημέρα σε όλους", "مرحبا بالجميع"]
    static let scams = [
        "FREE NITRO giveaway claim now https://dlscord-gift.com/claim",
        "fr33 n1tr0 for everyone https://discord-nitro.gift/abc",
        "steam gift $50 https://stearncommunity.com/gift/123",
        "join my server discord.gg/abc123",
        "frее nіtrо https://free-nitro.ru",
        "I accidentally reported you, contact discord staff to fix it",
    ]

    static func generate(count: Int, seed: UInt64 = 42) -> [DiscordMessage] {
        var rng = SeededGenerator(state: seed)
        var out: [DiscordMessage] = []
        out.reserveCapacity(count)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        for i in 0..<count {
            let roll = Int.random(in: 0..<1000, using: &rng)
            var content: String
            switch roll {
            case 0..<15: content = scams[Int.random(in: 0..<scams.count, using: &rng)]
            case 15..<60: content = foreign[Int.random(in: 0..<foreign.count, using: &rng)]
            default:
                let length = [3, 6, 10, 14, 20, 35, 60][Int.random(in: 0..<7, using: &rng)]
                content = (0..<length).map { _ in words[Int.random(in: 0..<words.count, using: &rng)] }.joined(separator: " ")
                if roll < 120 { content += " https://www.youtube.com/watch?v=\(Int.random(in: 100_000...999_999, using: &rng))" }
                if roll % 7 == 0 { content += " " + emoji[Int.random(in: 0..<emoji.count, using: &rng)] }
                if roll % 11 == 0 { content = content.prefix(1).uppercased() + content.dropFirst() + "?" }
            }
            let user = UInt64(1_000 + Int.random(in: 0..<5_000, using: &rng))
            let mentions = roll % 13 == 0 ? [DiscordMessage.UserRef(id: Snowflake(UInt64(1_000 + Int.random(in: 0..<5_000, using: &rng))))] : []
            out.append(DiscordMessage(
                id: Snowflake(1_300_000_000_000_000_000 + UInt64(i)), guildID: Snowflake(1_100_000_000_000_000_001),
                channelID: Snowflake(2_000 + UInt64(Int.random(in: 0..<40, using: &rng))),
                author: .init(id: Snowflake(user), username: "member\(user)"), member: .init(roles: []),
                content: content, mentions: mentions, timestamp: start.addingTimeInterval(Double(i) * 0.01)))
        }
        return out
    }

    /// The default pack plus generated rules of the kinds real packs carry (phrase regexes, word lists),
    /// to reach `total` rules.
    static func rulePack(defaultPack: [RuleDefinition], total: Int, seed: UInt64 = 7) -> [RuleDefinition] {
        var rng = SeededGenerator(state: seed)
        var rules = defaultPack
        let syllables = ["ka", "zo", "mi", "tex", "vor", "lu", "pra", "quin", "dre", "bo", "sna", "gri", "fel", "ux", "yo"]
        func pseudoWord() -> String { (0..<3).map { _ in syllables[Int.random(in: 0..<syllables.count, using: &rng)] }.joined() }
        var i = 0
        while rules.count < total {
            i += 1
            if i % 3 == 0 {
                // Mostly invented words, plus a real one now and then so the keyword path does real work.
                let keywords = (0..<8).map { k in k == 0 && i % 9 == 0 ? words[Int.random(in: 0..<words.count, using: &rng)] + "zz" : pseudoWord() }
                rules.append(RuleDefinition(name: "gen-words-\(i)", config: ContentKind(keywords: keywords),
                                            action: RuleAction(type: .delete, severity: 2)))
            } else {
                let a = words[Int.random(in: 0..<words.count, using: &rng)], b = pseudoWord()
                // Half the phrases start with a common word, so the prefilter passes them to PCRE2 often.
                let patterns = i % 2 == 0 ? [#"\b\#(a)\s+\#(b)\b"#] : [#"\b\#(b)[\s_-]*(?:now|today|\d+)\b"#]
                rules.append(RuleDefinition(name: "gen-phrase-\(i)", config: RegexKind(patterns: patterns),
                                            action: RuleAction(type: .delete, severity: 3)))
            }
        }
        return rules
    }
}
