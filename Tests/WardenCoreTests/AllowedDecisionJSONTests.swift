import Foundation
import Testing
@testable import WardenCore

@Suite("Allowed decision JSON")
struct AllowedDecisionJSONTests {
    let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    func decision(stages: [String: String] = [:], skipped: String? = nil) -> Decision {
        Decision(messageID: Snowflake(1_400_000_000_000_000_123), guildID: Snowflake(18_446_744_073_709_551_615),
                 channelID: Snowflake(7), userID: Snowflake(42), verdict: .allow, skipped: skipped, stages: stages)
    }

    @Test(arguments: [
        [:], ["llm": "off: no LLM provider is configured"], ["llm": "skipped: no text to judge", "dry_run": "nothing stored; é ü 日本 🎉"],
        ["b": "2", "a": "1", "c": "slash / and <tags> & 'quotes'"],
    ] as [[String: String]])
    func matchesJSONEncoderByteForByte(_ stages: [String: String]) throws {
        for skipped in [nil, "bot", "exempt_channel"] as [String?] {
            let value = decision(stages: stages, skipped: skipped)
            let expected = String(decoding: try encoder.encode(value), as: UTF8.self)
            #expect(AllowedDecisionJSON.encode(value) == expected)
        }
    }

    @Test func anythingElseIsLeftToJSONEncoder() {
        #expect(AllowedDecisionJSON.encode(decision(stages: ["llm": "a \"quoted\" note"])) == nil)
        #expect(AllowedDecisionJSON.encode(decision(stages: ["llm": "line\nbreak"])) == nil)
        #expect(AllowedDecisionJSON.encode(decision(skipped: "back\\slash")) == nil)
        var flagged = decision()
        flagged.verdict = .flag
        #expect(AllowedDecisionJSON.encode(flagged) == nil)
        var logged = decision()
        logged.logID = 3
        #expect(AllowedDecisionJSON.encode(logged) == nil)
    }
}
