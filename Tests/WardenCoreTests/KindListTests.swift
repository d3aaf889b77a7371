import Foundation
import Testing
@testable import WardenCore

/// `scripts/kinds.json` (read by `scripts/openapi.py`) must name exactly what the Swift registries hold.
@Suite struct KindListTests {
    struct Lists: Decodable {
        var rule_types: [String]
        var spam_detectors: [String]
        var action_types: [String]
        var discord_action_types: [String]
    }

    static let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/kinds.json")

    /// The file as the registries say it should be: it is generated, never edited by hand.
    static func generated() -> String {
        func line(_ key: String, _ names: [String]) -> String {
            "  \"\(key)\": [" + names.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
        }
        return "{\n" + [
            line("rule_types", RuleType.allCases.map(\.rawValue)),
            line("spam_detectors", SpamDetector.allCases.map(\.rawValue)),
            line("action_types", RuleAction.Kind.allCases.map(\.rawValue)),
            line("discord_action_types", DiscordAction.Kind.allCases.map(\.rawValue)),
        ].joined(separator: ",\n") + "\n}\n"
    }

    /// A kind added to a registry fails this test once and rewrites the file, so adding one needs no edit
    /// here; run `scripts/openapi.py` afterwards (the OpenAPI test says so too).
    @Test func kindsJSONMatchesTheRegistries() throws {
        let current = try String(contentsOf: Self.url, encoding: .utf8)
        let expected = Self.generated()
        if current != expected { try expected.write(to: Self.url, atomically: true, encoding: .utf8) }
        #expect(current == expected, "scripts/kinds.json was out of date with the registries and has been rewritten; run scripts/openapi.py and commit both")
        let lists = try JSONDecoder().decode(Lists.self, from: Data(expected.utf8))
        #expect(lists.rule_types == RuleType.allCases.map(\.rawValue))
    }
}
