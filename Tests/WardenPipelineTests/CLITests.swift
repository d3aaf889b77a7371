import Foundation
import Testing
import WardenTestSupport

@Suite struct CLITests {
    let scratch: URL
    init() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("warden-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    var database: String { "sqlite:" + scratch.appendingPathComponent("cli.sqlite").path }

    @Test func malformedLinesAreNamedAndTheRestIsStillProcessed() throws {
        let result = try Warden.run(["scan", fixturesPath + "/malformed.jsonl", "--database", database, "--rules", defaultPackPath])
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(lines.count == 5)   // 6 lines, one of them empty
        #expect(lines.first??["verdict"] as? String == "allow")
        let errorLines = lines.dropFirst().compactMap { $0?["line"] as? Int }
        #expect(errorLines == [2, 3, 5, 6])
        let codes = lines.dropFirst().compactMap { ($0?["error"] as? [String: Any])?["code"] as? String }
        #expect(codes == ["malformed_json", "invalid_field", "invalid_field", "content_too_long"])
        #expect(result.stderr.contains("line 3: invalid field 'id'"))
        #expect(result.stderr.contains("line 5: invalid field 'author.id'"))
        #expect(result.stderr.contains("4 input lines rejected"))
    }

    @Test func scanningTheFixturesTwiceReturnsTheStoredDecisions() throws {
        let first = try Warden.run(["scan", fixturesPath + "/messages.jsonl", "--database", database, "--rules", defaultPackPath])
        #expect(first.status == 0, "\(first.stderr)")
        let second = try Warden.run(["scan", fixturesPath + "/messages.jsonl", "--database", database, "--rules", defaultPackPath])
        #expect(second.status == 0)
        #expect(first.stdout == second.stdout)
        #expect(first.stdout.split(separator: "\n").count == 72)
        #expect(second.stderr.contains("72 already processed"))
        let history = try Warden.run(["history", "1100000000000000107", "--guild", "1100000000000000001", "--database", database])
        #expect(history.status == 0)
    }

    @Test func rulesCheckRejectsABadPackWithFileRuleAndOffset() throws {
        let pack = scratch.appendingPathComponent("pack")
        try FileManager.default.createDirectory(at: pack, withIntermediateDirectories: true)
        try """
        rules:
          - {name: good, type: content, keywords: [scam]}
          - {name: broken, type: regex, patterns: ['free(nitro']}
        """.write(to: pack.appendingPathComponent("bad.yaml"), atomically: true, encoding: .utf8)
        let result = try Warden.run(["rules", "check", pack.path])
        #expect(result.status == 1)
        #expect(result.stdout.contains("bad.yaml: rule 'broken' patterns[0]: missing closing parenthesis at offset 10"))
        #expect(result.stdout.contains("1 rules OK"))
        let good = try Warden.run(["rules", "check", defaultPackPath])
        #expect(good.status == 0, "\(good.stdout)")
    }

    @Test func badArgumentsAndStoresFailClearly() throws {
        let missing = try Warden.run(["scan", "/nonexistent/messages.jsonl", "--database", database, "--rules", defaultPackPath])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("/nonexistent/messages.jsonl"))
        let badURL = try Warden.run(["migrate", "--database", "mysql://x"])
        #expect(badURL.status != 0)
        #expect(badURL.stderr.contains("mysql://x"))
    }
}
