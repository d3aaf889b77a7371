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

    static func lists() throws -> Lists {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/kinds.json")
        return try JSONDecoder().decode(Lists.self, from: Data(contentsOf: url))
    }

    @Test func kindsJSONMatchesTheRegistries() throws {
        let lists = try Self.lists()
        #expect(lists.rule_types == RuleType.allCases.map(\.rawValue))
        #expect(lists.spam_detectors == SpamDetector.allCases.map(\.rawValue))
        #expect(lists.action_types == RuleAction.Kind.allCases.map(\.rawValue))
        #expect(lists.discord_action_types == DiscordAction.Kind.allCases.map(\.rawValue))
    }
}

