import Foundation
import Testing
import WardenTestSupport

/// The grouped command tree: the new names work, and the old top-level names still run, unlisted.
@Suite struct CLIGroupTests {
    let database: String
    init() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("warden-groups-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        database = "sqlite:" + scratch.appendingPathComponent("cli.sqlite").path
    }

    @Test func helpListsTheGroupsAndHidesTheOldNames() throws {
        let help = try Warden.run(["--help"])
        #expect(help.status == 0)
        let names = Set(help.stdout.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("  "), !line.hasPrefix("   "), let word = line.split(separator: " ").first else { return nil }
            return String(word)
        })
        for group in ["serve", "scan", "rules", "appeals", "support", "admin", "llm", "events", "history"] {
            #expect(names.contains(group), "\(group) is listed: \(help.stdout)")
        }
        for old in ["token", "settings", "migrate", "quota", "tickets", "faq", "verify", "verifications"] {
            #expect(!names.contains(old), "\(old) is hidden: \(help.stdout)")
        }
    }

    @Test func oldAndNewNamesRunTheSameCommands() throws {
        let created = try Warden.run(["admin", "token", "create", "--role", "bot", "--database", database])
        #expect(created.status == 0, "\(created.stderr)")
        let old = try Warden.run(["token", "list", "--database", database])
        #expect(old.status == 0 && old.stdout.contains("\tbot\t"), "\(old.stdout)\(old.stderr)")
        let set = try Warden.run(["admin", "settings", "set", "llm_deadline_ms", "1200", "--guild", "1", "--database", database])
        #expect(set.status == 0 && set.stdout.contains("automod.llm_deadline_ms = 1200"), "\(set.stderr)")
        let refused = try Warden.run(["settings", "set", "llm_deadline_ms", #""soon""#, "--guild", "1", "--database", database])
        #expect(refused.status != 0 && refused.stderr.contains("invalid value for automod.llm_deadline_ms"), "\(refused.stderr)")
        let history = try Warden.run(["admin", "settings", "history", "llm_deadline_ms", "--guild", "1", "--database", database])
        #expect(history.status == 0 && history.stdout.contains("created: (none) -> 1200"), "\(history.stdout)\(history.stderr)")
        #expect(try Warden.run(["admin", "migrate", "--database", database]).status == 0)
        #expect(try Warden.run(["migrate", "--database", database]).status == 0)
    }
}
