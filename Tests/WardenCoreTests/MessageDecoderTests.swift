import Testing
import Foundation
@testable import WardenCore

@Suite struct MessageDecoderTests {
    let decoder = MessageDecoder()

    @Test func decodesDiscordsMessageObjectWithStringOrNumberSnowflakes() throws {
        let json = #"{"id":"1100000000000000123","guild_id":1100000000000000001,"channel_id":"1100000000000000002","author":{"id":"42","username":"a","bot":false},"member":{"roles":["7"]},"content":"hi","mentions":[{"id":"43","username":"b"}],"mention_roles":[],"mention_everyone":false,"attachments":[],"embeds":[{"title":"x"}],"timestamp":"2026-11-22T02:10:00.123000+00:00","extra":1}"#
        let m = try decoder.decode(Data(json.utf8))
        #expect(m.id == Snowflake(1100000000000000123))
        #expect(m.guildID == Snowflake(1100000000000000001))
        #expect(m.roles == [Snowflake(7)])
        #expect(m.mentions.count == 1 && m.embedCount == 1)
    }

    func error(_ json: String) -> IngestError? {
        do { _ = try decoder.decode(Data(json.utf8)); return nil } catch { return error }
    }

    @Test func errorsNameWhatWasWrong() {
        #expect(error("{not json")?.code == "malformed_json")
        #expect(error("[1, 2]") == .malformedJSON(detail: "expected a JSON object (a Discord message)"))
        #expect(error(#"{"guild_id":"1","channel_id":"2","author":{"id":"3"},"timestamp":"2026-11-22T00:00:00Z"}"#)
                == .invalidField(field: "id", detail: "is required"))
        let badID = error(#"{"id":"12a","guild_id":"1","channel_id":"2","author":{"id":"3"},"timestamp":"2026-11-22T00:00:00Z"}"#)
        #expect(badID?.code == "invalid_field")
        if case .invalidField(let field, _) = badID { #expect(field == "id") } else { Issue.record("got \(String(describing: badID))") }
        let huge = error(#"{"id":"9223372036854775808","guild_id":"1","channel_id":"2","author":{"id":"3"},"timestamp":"2026-11-22T00:00:00Z"}"#)
        #expect(huge?.code == "invalid_field")
        let long = String(repeating: "x", count: 4001)
        #expect(error(#"{"id":"1","guild_id":"1","channel_id":"2","author":{"id":"3"},"content":"\#(long)","timestamp":"2026-11-22T00:00:00Z"}"#)
                == .contentTooLong(length: 4001, limit: 4000))
        #expect(error(#"{"id":"1","guild_id":"1","channel_id":"2","author":{"id":"3"},"timestamp":"2026-11-22T00:00:00Z"}"#) == nil)
    }
}

@Suite struct DiscordTimestampTests {
    @Test(arguments: [
        "2026-11-22T02:10:00.123000+00:00", "2026-11-22T02:10:00Z", "2026-11-22T04:10:00.5+02:00",
        "1999-12-31T23:59:59.999-05:30", "2024-02-29T12:00:00+0000", "1970-01-01T00:00:00Z",
    ])
    func fastPathAgreesWithFoundation(_ text: String) throws {
        let fast = try #require(DiscordTimestamp.parseFixed(text))
        let normalized = text.replacingOccurrences(of: "+0000", with: "+00:00")
        let reference = try #require(
            (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(normalized))
                ?? (try? Date.ISO8601FormatStyle().parse(normalized)))
        #expect(abs(fast - reference.timeIntervalSince1970) < 0.001)
    }

    @Test(arguments: ["2026-13-01T00:00:00Z", "2026-11-22", "yesterday", "2026-11-22T02:10:00", "2026-11-22T02:10:00Zjunk"])
    func rejectsWhatIsNotATimestamp(_ text: String) {
        #expect(DiscordTimestamp.parseFixed(text) == nil)
    }
}

@Suite("Message decoder: control characters")
struct MessageDecoderControlTests {
    private func refusal(_ json: String) -> InvalidText? {
        do throws(IngestError) { _ = try MessageDecoder().decode(Data(json.utf8)) } catch {
            if case .invalidText(let text) = error { return text }
        }
        return nil
    }

    private func message(content: String = "hi", username: String = "sam", filename: String = "x.png", sticker: String = "wave") -> String {
        #"{"id":"1","guild_id":"2","channel_id":"3","author":{"id":"4","username":"\#(username)"},"content":"\#(content)","attachments":[{"id":"5","filename":"\#(filename)"}],"sticker_items":[{"id":"6","name":"\#(sticker)","format_type":1}],"timestamp":"2026-11-30T10:00:00.000000+00:00"}"#
    }

    /// Once NUL was dropped silently (so the stored text differed from what was sent); now every stored
    /// text of a message follows the text policy and the refusal names the field and the offset.
    @Test func aControlCharacterInAnyStoredTextRefusesTheMessageNamingTheField() throws {
        #expect(refusal(message(content: #"fr\u0000ee nitro"#)) == InvalidText(field: "content", scalar: 0, offset: 2))
        #expect(refusal(message(username: #"a\u0001b"#)) == InvalidText(field: "author.username", scalar: 1, offset: 1))
        #expect(refusal(message(filename: #"x\u0000.png"#)) == InvalidText(field: "attachments[0].filename", scalar: 0, offset: 1))
        #expect(refusal(message(sticker: #"\u001bwave"#)) == InvalidText(field: "sticker_items[0].name", scalar: 0x1B, offset: 0))
        let error = try #require(refusal(message(content: #"ok\bno"#)))
        #expect(error.code == "invalid_text" && error.httpStatus == 400)
        #expect(error.description == "field 'content' holds a control character U+0008 at offset 2; text may not contain C0 controls other than tab, line feed and carriage return")
    }

    @Test func tabLineFeedAndCarriageReturnAreKept() throws {
        let decoded = try MessageDecoder().decode(Data(message(content: #"a\tb\r\nc"#).utf8))
        #expect(decoded.content == "a\tb\r\nc")
    }
}
