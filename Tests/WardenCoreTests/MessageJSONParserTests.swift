import Foundation
import Testing
@testable import WardenCore

/// The hand-written parser must read exactly what Foundation's JSONDecoder reads, and refuse what it refuses.
@Suite struct MessageJSONParserTests {
    static let fixtures: [String] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fixtures/messages.jsonl")
        return ((try? String(contentsOf: url, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }()

    static let tricky = [
        #"{"id":"1","guild_id":"2","channel_id":"3","author":{"id":"4"},"timestamp":"2026-11-22T02:10:00+00:00"}"#,
        #"{"id":1,"guild_id":2,"channel_id":3,"author":{"id":4,"bot":true,"username":null},"member":null,"content":null,"timestamp":"2026-11-22T02:10:00Z"}"#,
        #"{ "id" : "10" , "guild_id":"2","channel_id":"3","author":{"id":"4","avatar":{"x":[1,2,{"y":null}]}},"content":"tab\there \"quoted\" back\\slash \/ \u00e9\u4e2d \ud83d\ude00 \n","timestamp":"2026-11-22T02:10:00.5+02:00","embeds":[{"title":"t","fields":[{"a":1.5e3}]},{}],"flags":0,"nonce":-12.5e-3}"#,
        #"{"id":"1","guild_id":"2","channel_id":"3","author":{"id":"4"},"mentions":[{"id":"5","username":"a"},{"id":6}],"mention_roles":["7",8],"mention_everyone":true,"attachments":[{"id":"9","filename":"a.png","size":1024,"content_type":"image/png","width":10}],"timestamp":"2026-11-22T02:10:00Z"}"#,
        #"{"id":"1","guild_id":"2","channel_id":"3","author":{"id":"4"},"sticker_items":[{"id":"749054660769218631","name":"Wave","format_type":3},{"id":5,"name":null,"format_type":1.0,"extra":[1]},{}],"timestamp":"2026-11-22T02:10:00Z"}"#,
        #"{"id":"1","guild_id":"2","channel_id":"3","author":{"id":"4"},"sticker_items":null,"timestamp":"2026-11-22T02:10:00Z"}"#,
    ]

    static let broken = [
        "", "   ", "{", "[1,2]", "\"text\"", "42", "null", #"{"id":"1",}"#, #"{"id":"1""#, #"{"id":"1"} trailing"#,
        #"{"id":"1","guild_id":"2","channel_id":"3","author":{"id":"4"},"content":"bad \q escape","timestamp":"2026-11-22T02:10:00Z"}"#,
        #"{"id":"x1","guild_id":"2","channel_id":"3","author":{"id":"4"},"timestamp":"2026-11-22T02:10:00Z"}"#,
        #"{"id":"1","guild_id":"2","channel_id":"3","author":{},"timestamp":"2026-11-22T02:10:00Z"}"#,
        #"{"id":"1","guild_id":"2","channel_id":"3","author":{"id":"4"},"timestamp":"soon"}"#,
        #"{"id":"1","guild_id":"2","channel_id":"3","author":"me","timestamp":"2026-11-22T02:10:00Z"}"#,
        #"{"id":"1","guild_id":"2","channel_id":"3","author":{"id":"4"},"mentions":{},"timestamp":"2026-11-22T02:10:00Z"}"#,
        #"{"id":"1","guild_id":"2","channel_id":"3","author":{"id":"4"},"sticker_items":{},"timestamp":"2026-11-22T02:10:00Z"}"#,
        #"{"id":"1","guild_id":"2","channel_id":"3","author":{"id":"4"},"sticker_items":[{"id":"x"}],"timestamp":"2026-11-22T02:10:00Z"}"#,
        #"{"id":"1","guild_id":"2","channel_id":"3","author":{"id":"4"},"sticker_items":[{"format_type":"png"}],"timestamp":"2026-11-22T02:10:00Z"}"#,
        #"{"id":1.5,"guild_id":"2","channel_id":"3","author":{"id":"4"},"timestamp":"2026-11-22T02:10:00Z"}"#,
        #"{"id":"1","guild_id":"2","channel_id":"3","author":{"id":"4"},"content":"\ud83d alone","timestamp":"2026-11-22T02:10:00Z"}"#,
        #"{"id":"1","guild_id":"2","channel_id":"3","author":{"id":"4"},"content":"\ude00","timestamp":"2026-11-22T02:10:00Z"}"#,
        #"{"id":"1","guild_id":"2","channel_id":"3","author":{"id":"4"},"timestamp":"2024-02-30T02:10:00Z"}"#,
        #"{"id":"1","guild_id":"2","channel_id":"3","author":{"id":"4"},"timestamp":"2024-13-45T99:02:45Z"}"#,
    ]

    @Test(arguments: fixtures + tricky)
    func readsWhatJSONDecoderReads(_ line: String) throws {
        let data = Data(line.utf8)
        let fast = try MessageJSONParser.parse(data)
        let reference = try JSONDecoder().decode(DiscordMessage.self, from: data)
        #expect(fast == reference)
    }

    @Test(arguments: broken)
    func refusesWhatJSONDecoderRefuses(_ line: String) {
        let data = Data(line.utf8)
        #expect((try? MessageJSONParser.parse(data)) == nil)
        #expect((try? JSONDecoder().decode(DiscordMessage.self, from: data)) == nil)
    }

    /// Foundation's decoder skips unknown fields without checking their numbers; this parser follows the
    /// JSON grammar everywhere.
    @Test(arguments: ["1.2.3", "1e+-", "0123", "1.", "-", "1-2", "+1", ".5"])
    func malformedNumbersAreRefusedEvenInSkippedFields(_ number: String) {
        let line = #"{"id":"1","guild_id":"2","channel_id":"3","author":{"id":"4"},"x":"# + number + #","timestamp":"2026-11-22T02:10:00Z"}"#
        #expect((try? MessageJSONParser.parse(Data(line.utf8))) == nil)
    }

    @Test func deepNestingIsRefusedNotRecursedInto() {
        let deep = #"{"id":"1","guild_id":"2","channel_id":"3","author":{"id":"4"},"x":"# + String(repeating: "[", count: 20_000)
        #expect(throws: IngestError.self) { try MessageJSONParser.parse(Data(deep.utf8)) }
        let ok = #"{"id":"1","guild_id":"2","channel_id":"3","author":{"id":"4"},"x":"# + String(repeating: "[", count: 100)
            + String(repeating: "]", count: 100) + #","timestamp":"2026-11-22T02:10:00Z"}"#
        #expect((try? MessageJSONParser.parse(Data(ok.utf8))) != nil)
    }

    @Test func invalidUTF8IsRefused() {
        var bytes = Array(#"{"id":"1","guild_id":"2","channel_id":"3","author":{"id":"4"},"content":"ab"#.utf8)
        bytes += [0xC3, 0x28]
        bytes += Array(#"","timestamp":"2026-11-22T02:10:00Z"}"#.utf8)
        #expect(throws: IngestError.self) { try MessageJSONParser.parse(Data(bytes)) }
    }

    /// Found by the FuzzMessageParser target: invalid UTF-8 inside a key the parser skips was accepted.
    @Test func invalidUTF8InAnUnknownKeyIsRefused() {
        var bytes = Array(#"{"id":"1","guild_id":"2","channel_id":"3","author":{"id":"4"},"mention_everyon"#.utf8)
        bytes += [0xE4]
        bytes += Array(#"e":false,"timestamp":"2026-11-22T02:10:00Z"}"#.utf8)
        #expect(throws: IngestError.self) { try MessageJSONParser.parse(Data(bytes)) }
        // A key that is valid non-ASCII UTF-8 is still fine.
        let accented = #"{"id":"1","guild_id":"2","channel_id":"3","author":{"id":"4"},"clé":"v","timestamp":"2026-11-22T02:10:00Z"}"#
        #expect((try? MessageJSONParser.parse(Data(accented.utf8))) != nil)
    }

    @Test func stickerItemsAreRead() throws {
        let line = #"{"id":"1","guild_id":"2","channel_id":"3","author":{"id":"4"},"sticker_items":[{"id":"749054660769218631","name":"Wave","format_type":3},{"id":"5","name":"x","format_type":1}],"timestamp":"2026-11-22T02:10:00Z"}"#
        let m = try MessageJSONParser.parse(Data(line.utf8))
        #expect(m.stickerItems == [DiscordMessage.StickerItem(id: Snowflake(749054660769218631), name: "Wave", formatType: 3),
                                   DiscordMessage.StickerItem(id: Snowflake(5), name: "x", formatType: 1)])
        // Stored messages without stickers encode as before: no sticker_items key.
        let plain = try MessageJSONParser.parse(Data(Self.tricky[0].utf8))
        #expect(!String(decoding: try JSONEncoder().encode(plain), as: UTF8.self).contains("sticker_items"))
        let again = try JSONDecoder().decode(DiscordMessage.self, from: try JSONEncoder().encode(m))
        #expect(again.stickerItems == m.stickerItems)
    }

    @Test func floatAttachmentSizesAreRead() throws {
        let m = try MessageJSONParser.parse(Data(#"{"id":"1","guild_id":"2","channel_id":"3","author":{"id":"4"},"attachments":[{"id":"5","size":1024.0}],"timestamp":"2026-11-22T02:10:00Z"}"#.utf8))
        #expect(m.attachments.first?.size == 1024)
    }

    @Test func errorsPointAtTheProblem() {
        func error(_ s: String) -> IngestError? { do { _ = try MessageJSONParser.parse(Data(s.utf8)); return nil } catch { return error } }
        #expect(error(#"{"id":"1",}"#) == .malformedJSON(detail: "unexpected '}' at byte 10"))
        #expect(error(#"{"id":"1","guild_id":"2","channel_id":"3","author":{},"timestamp":"2026-11-22T02:10:00Z"}"#)
                == .invalidField(field: "author.id", detail: "is required"))
        #expect(error(#"{"id":"1","guild_id":"2","channel_id":"3","author":{"id":"4"},"mention_roles":["7","r"],"timestamp":"2026-11-22T02:10:00Z"}"#)
                == .invalidField(field: "mention_roles[1]", detail: "not a snowflake: \"r\""))
    }
}
