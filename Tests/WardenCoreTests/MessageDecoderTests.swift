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

    @Test func errorsNameWhatWasWrong() {
        #expect(throws: IngestError.self) { try decoder.decode(Data("{not json".utf8)) }
        do { _ = try decoder.decode(Data(#"{"guild_id":"1","channel_id":"2","author":{"id":"3"},"timestamp":"2026-11-22T00:00:00Z"}"#.utf8)) }
        catch { #expect(error == .invalidField(field: "id", detail: "is required")) }
        do { _ = try decoder.decode(Data(#"{"id":"12a","guild_id":"1","channel_id":"2","author":{"id":"3"},"timestamp":"2026-11-22T00:00:00Z"}"#.utf8)) }
        catch { #expect(error.code == "invalid_field"); #expect("\(error)".contains("id")) }
        let long = String(repeating: "x", count: 4001)
        do { _ = try decoder.decode(Data(#"{"id":"1","guild_id":"1","channel_id":"2","author":{"id":"3"},"content":"\#(long)","timestamp":"2026-11-22T00:00:00Z"}"#.utf8)) }
        catch { #expect(error == .contentTooLong(length: 4001, limit: 4000)) }
    }
}
