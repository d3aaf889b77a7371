import Foundation
import Testing
import WardenCore
import WardenPipeline

/// The default pack against evasions it must catch and ordinary chat it must leave alone (in memory).
@Suite struct DefaultPackTests {
    let rules: CompiledRuleSet
    let evaluator = MessageEvaluator()

    init() throws {
        let (pack, issues) = try RulePackDirectory.load(defaultPackPath)
        try #require(issues.isEmpty, "\(issues)")
        rules = CompiledRuleSet(rules: pack.map { RuleSource(id: nil, definition: $0.definition) })
    }

    /// Every pattern of the default pack is prefiltered by the literal scan: none runs on every message.
    @Test func noPatternRunsOnEveryMessage() {
        #expect(rules.alwaysRunPatternCount == 0)
    }

    func verdict(_ text: String) -> (Verdict, [String]) {
        let m = message(text, user: UInt64.random(in: 1...1_000_000_000))
        let e = evaluator.evaluate(m, rules: rules, policy: GuildPolicy())
        let d = Decider.decide(message: m, matches: e.matches, failures: e.failures, escalation: nil, step: nil, policy: GuildPolicy(), now: Date())
        return (d.verdict, e.matches.map(\.rule))
    }

    @Test(arguments: [
        ("invoice.pdf.exe", true), ("Nudes.JPG.scr", true), ("photo\u{202E}gpj.exe", true), ("free-nitro.png.bat", true),
        ("holiday.jpg", false), ("archive.tar.gz", false), ("installer.exe", false), ("v1.2 notes.txt", false),
    ])
    func disguisedExecutablesAreDeletedAndTimedOut(_ file: String, _ caught: Bool) {
        var m = message("here you go", user: UInt64.random(in: 1...1_000_000_000))
        m.attachments = [.init(filename: "cat.png", size: 1_000, contentType: "image/png"), .init(filename: file, size: 40_000)]
        let e = evaluator.evaluate(m, rules: rules, policy: GuildPolicy())
        let d = Decider.decide(message: m, matches: e.matches, failures: e.failures, escalation: nil, step: nil, policy: GuildPolicy(), now: Date())
        if caught {
            #expect(d.verdict == .block && e.matches.map(\.rule) == ["disguised-executable"], "\(file): \(e.matches.map(\.rule))")
            #expect(d.actions.map(\.type) == [.deleteMessage, .timeout, .alert], "\(d.actions.map(\.type))")
            #expect(e.matches.first?.evidence.attachment == file)
        } else {
            #expect(d.verdict == .allow, "\(file) matched \(e.matches.map(\.rule))")
        }
    }

    @Test(arguments: [
        "frее nіtrо giveaway, claim here: https://dlscord-gift.com/claim",            // Cyrillic е, і, о
        "ｆｒｅｅ ｎｉｔｒｏ for everyone https://discord-nitro.gift/x",                     // fullwidth
        "fr\u{200B}ee ni\u{200B}tro gift just click https://nitro-gift.click/a",        // zero-width
        "f\u{0337}r\u{0335}e\u{0336}e\u{0334} n\u{0335}i\u{0336}t\u{0334}r\u{0337}o https://free-nitro.ru", // zalgo
        "fr33 n1tr0 g1ft, cl41m https://dlscord.gift/abc",                              // leetspeak
        "f r e e n i t r o here https://discord-gifts.com/x",                            // spacing
        "join my server discord.gg/abc123",
        "join https://discord.gg/%61bc",                                                 // percent-encoded
        "@everyone free nitro for the first 100 people",
        "steam gift $50 for you https://stearncommunity.com/gift/123",
        "free nitro https://d\u{0456}sc\u{03BF}rd.gift/x",                              // lookalike host
        "claim nitro https://\u{010F}iscord.gift/x",                                     // accented host
        "fr\u{01}ee nitro gift https://nitro-gift.click/a",                              // control character
        "n\u{7F}igger",
        "niigger",
        "I accidentally reported you, contact this discord staff to fix it: https://discord-support.help",
        "Discord Trust & Safety here, verify your account at https://dlscord-safety.com or it gets disabled",
        "scan this QR code to claim your free nitro",
    ])
    func evasionsAreBlocked(_ text: String) {
        let (v, rules) = verdict(text)
        #expect(v == .block, "\(text.debugDescription) matched \(rules)")
    }

    @Test(arguments: [
        "Scunthorpe United won 2-1 last night",
        "that assassin was a classic move",
        "shiitake mushrooms in the cocktail sauce",
        "I'm going to Penistone on Saturday",
        "good morning everyone, how is the new patch?",
        "check the docs at https://github.com/swiftlang/swift",
        "anyone up for some cs2 tonight?",
        "my nitro subscription ran out lol",
        "I used to play on steam a lot",
        "the snigger was audible from the back row",
        "gg wp, that was close",
        // Reviewers found these blocked by earlier versions of the pack.
        "Spic and Span is a cleaning brand", "A chink of light came through the curtains", "going to the shop for some fags",
        "NIG vs GHA tonight", "flame retardant retarded the fire", "Rebuilt the tranny on my truck", "My coon hound is barking",
        "Scan the QR code on the menu to get access to the wifi", "Bitcoin is down again, free fall lol https://coindesk.com/x",
        "Try my new game on steam, it's free https://store.steampowered.com/app/123", "I accidentally reported your message, sorry!",
        "Send me the ETH address and I will send back double if it fails", "I'm a discord staff fan",
        "this is the discord support team page: https://support.discord.com", "reported you to the mods, talk to them if you disagree",
        "Elon Musk's giveaway tweet was a fake", "double your btc? sounds like a scam, send it to the mods",
        "want to test my new game build? password is in the pinned post", "we made a game for the jam, try it: game.zip on itch",
        "scan this qr to verify your ticket for the discord meetup", "done with csgo, my inventory of skins is on https://csfloat.com",
        "@everyone nitro classic or free? which is better", "watch this https://www.youtube.com/watch?v=dQw4w9WgXcQ 🔥",
        "https://en.wikipedia.org/wiki/Zürich is a nice read",
    ])
    func ordinaryChatIsAllowed(_ text: String) {
        let (v, rules) = verdict(text)
        #expect(v == .allow, "\(text.debugDescription) matched \(rules)")
    }
}
