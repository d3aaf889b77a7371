import Foundation
import Testing
import WardenServer
import WardenStore
import WardenTestSupport

/// A rule changed through the HTTP API and the same change made with the CLI leave the same `admin_log`
/// rows: both doors go through the rule desk.
@Suite("rule changes are audited alike by the API and the CLI")
struct RuleAuditTests {
    static let rule = #"{"name": "no-pineapple", "type": "content", "keywords": ["pineapple pizza"], "action": {"type": "warn", "severity": 1, "reason": "Taste"}}"#
    static let changed = #"{"name": "no-pineapple", "type": "content", "keywords": ["pineapple pizza", "pineapple"], "action": {"type": "warn", "severity": 2, "reason": "Taste"}}"#

    /// The audit rows of the guild's rule changes, oldest first, without ids and times.
    static func auditRows(_ db: any Database, guild: UInt64) async throws -> [[String?]] {
        try await db.transaction { conn in
            try conn.query("""
                SELECT action, target_type, target_id, "before" AS b, "after" AS a FROM admin_log
                WHERE guild_id = $1 AND target_type = 'automod_rule' ORDER BY id
                """, [.int(Int64(bitPattern: guild))]).map {
                [try $0.string("action"), try $0.string("target_type"), try $0.optionalString("target_id"),
                 try $0.optionalString("b"), try $0.optionalString("a")]
            }
        }
    }

    @Test(arguments: allDialects) func cliImportWritesTheAdminLogRowsOfTheHTTPPut(_ dialect: SQLDialect) async throws {
        try await withServer(dialect) { h in
            let admin = h.tokens[.admin]
            // The API, in guild A: create, change, switch off.
            #expect(try await h.call(.put, "/v1/guilds/\(guildA)/rules/no-pineapple", token: admin, json: Self.rule).status == 201)
            #expect(try await h.call(.put, "/v1/guilds/\(guildA)/rules/no-pineapple", token: admin, json: Self.changed).status == 200)
            #expect(try await h.call(.post, "/v1/guilds/\(guildA)/rules/no-pineapple/disable", token: admin).status == 200)

            // The CLI, in guild B: the same rule as a pack file (JSON is YAML), imported twice, then switched off.
            let pack = FileManager.default.temporaryDirectory.appendingPathComponent("warden-audit-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: pack, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: pack) }
            let file = pack.appendingPathComponent("pineapple.yaml")
            for (text, count) in [(Self.rule, 1), (Self.changed, 1)] {
                try ("rules:\n  - " + text + "\n").write(to: file, atomically: true, encoding: .utf8)
                let imported = try Warden.run(["rules", "import", pack.path, "--guild", "\(guildB)", "--database", h.url])
                #expect(imported.status == 0, "\(imported.stdout)\(imported.stderr)")
                #expect(imported.stdout.contains("imported \(count) rules into guild \(guildB)"))
            }
            let disabled = try Warden.run(["rules", "disable", "no-pineapple", "--guild", "\(guildB)", "--database", h.url])
            #expect(disabled.status == 0, "\(disabled.stderr)")

            let viaHTTP = try await Self.auditRows(h.database, guild: guildA)
            let viaCLI = try await Self.auditRows(h.database, guild: guildB)
            #expect(viaHTTP.map { $0[0] } == ["rule.create", "rule.update", "rule.disable"])
            #expect(viaHTTP[1][3] != nil && viaHTTP[1][3] != viaHTTP[1][4], "an update records the config before and after")
            #expect(viaCLI == viaHTTP)
        }
    }
}
