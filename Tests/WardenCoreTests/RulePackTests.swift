import Testing
@testable import WardenCore

@Suite struct RulePackTests {
    @Test func badRulesAreReportedWithFileRuleAndOffsetWhileGoodOnesLoad() {
        let yaml = """
        rules:
          - name: good
            type: regex
            patterns: ['free\\s*nitro']
          - name: broken
            type: regex
            patterns: ['ok', 'free(nitro']
          - name: bad-keyword
            type: content
            keywords: ['ca*t']
          - name: bad-detector
            type: spam
            detector: teleport
            threshold: 3
          - name: bad-action
            type: content
            keywords: [x]
            action: {type: timeout, severity: 9, duration: 90d}
          - name: no-type
        """
        let (rules, issues) = RulePack.parse(files: [("rules/scams.yaml", yaml)])
        #expect(rules.map(\.definition.name) == ["good"])
        let broken = issues.first { $0.rule == "broken" }
        #expect(broken?.file == "rules/scams.yaml")
        #expect(broken?.field == "patterns[1]")
        #expect(broken?.offset == 10)
        #expect(issues.contains { $0.rule == "bad-keyword" && $0.field == "keywords[0]" })
        #expect(issues.contains { $0.rule == "bad-detector" && $0.field == "detector" })
        #expect(issues.contains { $0.rule == "bad-action" && $0.field == "action.severity" })
        #expect(issues.contains { $0.rule == "bad-action" && $0.field == "action.duration" })
        #expect(issues.contains { $0.rule == "no-type" && $0.message.contains("type") })
    }

    @Test func invalidYAMLAndDuplicatesAreReported() {
        let (rules, issues) = RulePack.parse(files: [
            ("a.yaml", "rules:\n  - {name: x, type: content, keywords: [a1]}\n"),
            ("b.yaml", "rules:\n  - {name: x, type: content, keywords: [b1]}\n"),
            ("c.yaml", "rules: [unclosed\n"),
        ])
        #expect(rules.count == 1)
        #expect(issues.contains { $0.file == "b.yaml" && $0.message.contains("duplicate") })
        #expect(issues.contains { $0.file == "c.yaml" && $0.message.contains("YAML") })
    }

    @Test func definitionsRoundTripThroughJSON() throws {
        let (rules, _) = RulePack.parse(files: [("a.yaml", """
        rules:
          - name: t
            type: spam
            detector: rate
            threshold: 5
            window: 10s
            action: {type: timeout, duration: 10m, severity: 3}
        """)])
        let definition = try #require(rules.first?.definition)
        #expect(definition.config(as: SpamKind.self)?.windowSeconds == 10)
        #expect(definition.action?.durationSeconds == 600)
        let data = try JSONEncoder().encode(definition)
        #expect(try JSONDecoder().decode(RuleDefinition.self, from: data) == definition)
    }
}

import Foundation
