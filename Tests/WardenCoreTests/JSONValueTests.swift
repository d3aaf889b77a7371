import Foundation
import Testing
@testable import WardenCore

@Suite("JSON values")
struct JSONValueTests {
    @Test func parsesWhatJSONDecoderParsesAndRoundTrips() throws {
        let documents = [
            #"{"a": [1, 2.5, -3e2, true, false, null], "b": {"c": "x\ny \"q\" \\ \/ \u00e9 \ud83d\ude00"}, "": 0}"#,
            #"[]"#, #"{}"#, #""just a string""#, "42", "  -0.000125  ",
            #"{"scores": {"sexual/minors": 0.01, "self-harm": 0.93}, "primary_category": "self-harm"}"#,
        ]
        for text in documents {
            let ours = try JSONValue.parse(text)
            let foundation = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
            #expect(ours == foundation, "\(text)")
            #expect(try JSONValue.parse(ours.encoded()) == ours, "round trip of \(text)")
            // Our encoding is what JSONSerialization reads too.
            #expect((try? JSONSerialization.jsonObject(with: Data(ours.encoded().utf8), options: [.fragmentsAllowed])) != nil)
        }
    }

    @Test func encodesControlCharactersAndSortsKeys() {
        let value: JSONValue = ["b": "tab\there", "a": .string("bell\u{07}\u{1F}"), "c": 1.5, "d": 3]
        #expect(value.encoded() == #"{"a":"bell\u0007\u001f","b":"tab\there","c":1.5,"d":3}"#)
        #expect(JSONValue.number(.infinity).encoded() == "null")
    }

    @Test func refusesMalformedDocumentsNamingTheProblem() {
        for text in [#"{"a": 1,}"#, #"{"a" 1}"#, "[1, 2", "tru", #"{"a": 1} trailing"#, "", #""\x""#, "01"] {
            #expect(throws: IngestError.self, "\(text)") { try JSONValue.parse(text) }
        }
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: IngestError.self) { try JSONValue.parse(deep) }
    }
}
