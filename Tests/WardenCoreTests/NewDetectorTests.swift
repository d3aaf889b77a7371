import Foundation
import Testing
@testable import WardenCore

/// `caps` and `stickers`, end to end: written in a pack, validated, compiled, read from the message.
@Suite struct NewDetectorTests {
    static func evaluate(_ yaml: String, _ messages: [DiscordMessage]) throws -> [[RuleMatch]] {
        let (parsed, issues) = RulePack.parse(files: [("test.yaml", yaml)])
        try #require(issues.isEmpty, "\(issues)")
        let rules = CompiledRuleSet(rules: parsed.map { RuleSource(id: nil, definition: $0.definition) })
        let evaluator = MessageEvaluator()
        return messages.map { evaluator.evaluate($0, rules: rules, policy: GuildPolicy()).matches }
    }

    static func message(_ id: UInt64, _ content: String, at seconds: Double = 0,
                        stickers: Int = 0) -> DiscordMessage {
        DiscordMessage(id: Snowflake(id), guildID: Snowflake(1), channelID: Snowflake(2), author: .init(id: Snowflake(7)),
                       content: content,
                       stickerItems: (0..<stickers).map { DiscordMessage.StickerItem(id: Snowflake(UInt64(100 + $0)), name: "s", formatType: 1) },
                       timestamp: Date(timeIntervalSince1970: 1_800_000_000 + seconds))
    }

    @Test func capsShareCountsCasedLettersOnly() {
        #expect(CapsShare.percent(of: "THIS IS SHOUTING") == 100)
        #expect(CapsShare.percent(of: "This is fine, really") == 6)   // 1 of 16 letters
        #expect(CapsShare.percent(of: "STOP IT") == 0)               // 6 letters: under the minimum
        #expect(CapsShare.percent(of: "ABCDefgh") == 50)              // exactly the minimum
        #expect(CapsShare.percent(of: "ÇA SUFFIT MAINTENANT") == 100) // non-ASCII path
        #expect(CapsShare.percent(of: "これは大文字がない文章です") == 0)   // no cased letters
    }

    @Test func capsRuleFiresPerMessageWithItsEvidence() throws {
        let yaml = """
        rules:
          - name: shouting
            type: spam
            detector: caps
            threshold: 80
        """
        let found = try Self.evaluate(yaml, [Self.message(1, "WHY WILL NOBODY ANSWER ME"), Self.message(2, "Why will nobody answer me"),
                                             Self.message(3, "OK GG")])
        #expect(found[0].map(\.rule) == ["shouting"])
        #expect(found[0].first?.evidence == Evidence(detector: "caps", observed: 100, threshold: 80))
        #expect(found[1].isEmpty && found[2].isEmpty)
    }

    @Test func capsThresholdIsAPercentage() {
        let (_, issues) = RulePack.parse(files: [("t.yaml", """
        rules:
          - name: shouting
            type: spam
            detector: caps
            threshold: 101
        """)])
        #expect(issues.map(\.description) == ["t.yaml: rule 'shouting' threshold: must be between 1 and 100 for the caps detector"])
    }

    @Test func stickersAreSummedOverTheWindow() throws {
        let yaml = """
        rules:
          - name: sticker-flood
            type: spam
            detector: stickers
            threshold: 4
            window: 30s
        """
        let found = try Self.evaluate(yaml, [Self.message(1, "hi", at: 0, stickers: 2), Self.message(2, "", at: 5, stickers: 1),
                                             Self.message(3, "look", at: 10, stickers: 1), Self.message(4, "plain", at: 11),
                                             Self.message(5, "later", at: 100, stickers: 3)])
        #expect(found.map { $0.map(\.rule) } == [[], [], ["sticker-flood"], [], []])
        #expect(found[2].first?.evidence == Evidence(detector: "stickers", observed: 4, threshold: 4, windowSeconds: 30))
    }

    @Test func stickersNeedAWindow() {
        let (_, issues) = RulePack.parse(files: [("t.yaml", """
        rules:
          - name: sticker-flood
            type: spam
            detector: stickers
            threshold: 4
        """)])
        #expect(issues.map(\.message) == ["the stickers detector needs a window (e.g. 10s)"])
    }
}
