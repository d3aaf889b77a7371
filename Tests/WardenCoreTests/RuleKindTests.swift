import Foundation
import Testing
@testable import WardenCore

@Suite struct RuleKindRegistryTests {
    @Test func everyKindIsRegisteredUnderItsName() {
        for kind in RuleKinds.all {
            #expect(RuleType(rawValue: kind.type.rawValue) == kind.type)
            #expect(kind.type.kind.map { ObjectIdentifier($0) } == ObjectIdentifier(kind))
        }
        #expect(RuleType(rawValue: "keyword") == nil)
        #expect([RuleType.regex, .content, .spam, .ai].map(\.rawValue) == ["regex", "content", "spam", "ai"])
    }

    @Test func unknownTypeErrorListsTheRegistry() {
        let (_, issues) = RulePack.parse(files: [("t.yaml", "rules:\n  - {name: x, type: keyword, keywords: [a]}\n")])
        #expect(issues.map(\.message) == ["type: unknown rule type 'keyword' (expected regex, content, spam, ai, attachments or profile)"])
    }

    @Test func viewsOnlyOnKindsThatMatchText() {
        let (_, issues) = RulePack.parse(files: [("t.yaml", "rules:\n  - {name: x, type: spam, detector: lines, threshold: 5, views: [raw]}\n")])
        #expect(issues.map(\.message) == ["only regex, content and profile rules match views"])
    }

    /// A keyword is compiled once per view, so a view listed twice would multiply a rule's compile past what
    /// the guild's limits count: refused where written, and used once if a stored row has it anyway.
    @Test func eachViewOnce() throws {
        let (_, issues) = RulePack.parse(files: [("t.yaml", "rules:\n  - {name: x, type: content, keywords: [a], views: [raw, leet, raw]}\n")])
        #expect(issues.map { "\($0.field ?? ""): \($0.message)" } == ["views[2]: lists 'raw' again; each view once"])
        let stored = try RulePack.rule(json: Array(#"{"name": "x", "type": "content", "keywords": ["a"], "views": ["leet"]}"#.utf8), source: "t")
        var twice = stored
        twice.views = [.raw, .leet, .raw, .leet]
        #expect(twice.effectiveViews == [.raw, .leet])
    }

    /// The stored row's type picks the kind that reads the config, as the type column always won.
    @Test func typeOverrideReadsTheConfigAsThatKind() throws {
        let json = #"{"name":"x","type":"regex","enabled":true,"keywords":["cat"],"patterns":["dog"]}"#
        let decoder = JSONDecoder()
        decoder.userInfo[RuleDefinition.typeOverride] = RuleType.content
        let definition = try decoder.decode(RuleDefinition.self, from: Data(json.utf8))
        #expect(definition.type == .content)
        #expect(definition.config(as: ContentKind.self)?.keywords == ["cat"])
        let plain = try JSONDecoder().decode(RuleDefinition.self, from: Data(json.utf8))
        #expect(plain.config(as: RegexKind.self)?.patterns == ["dog"])
    }

    /// A kind's fields round-trip through the flat object, with the same keys as before the split.
    @Test func storedConfigKeepsItsKeys() throws {
        let yaml = """
        rules:
          - name: s
            type: spam
            detector: rate
            threshold: 5
            window: 10s
            scope: channel
            exempt_roles: ["9"]
        """
        let (rules, issues) = RulePack.parse(files: [("t.yaml", yaml)])
        try #require(issues.isEmpty)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(try #require(rules.first).definition), as: UTF8.self)
        #expect(json == #"{"detector":"rate","enabled":true,"exempt_roles":["9"],"name":"s","scope":"channel","threshold":5,"type":"spam","window_seconds":10}"#)
    }
}

