import Foundation
import Testing
import WardenTestSupport

/// `warden appeals` and `warden token` against a SQLite file, through the real executable.
@Suite struct CLIAppealsTests {
    let scratch: URL
    init() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("warden-cli-appeals-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    var database: String { "sqlite:" + scratch.appendingPathComponent("cli.sqlite").path }

    static func line(id: Int, user: Int, content: String) -> String {
        let text = String(decoding: (try? JSONEncoder().encode(content)) ?? Data(), as: UTF8.self)
        return #"{"id":"\#(1_400_000_000_000_000_000 + id)","guild_id":"1100000000000000001","channel_id":"7","author":{"id":"\#(user)","username":"u\#(user)"},"content":\#(text),"timestamp":"2026-11-30T10:00:00.000000+00:00"}"#
    }

    @Test func appealsAreFiledListedApprovedAndDeniedFromTheCommandLine() throws {
        let input = scratch.appendingPathComponent("in.jsonl")
        try [Self.line(id: 1, user: 42, content: "FREE NITRO https://discord-nitro.gift/claim"),
             Self.line(id: 2, user: 43, content: "FREE NITRO https://discord-nitro.gift/claim2")]
            .joined(separator: "\n").write(to: input, atomically: true, encoding: .utf8)
        #expect(try Warden.run(["scan", input.path, "--database", database, "--rules", defaultPackPath]).status == 0)
        let guild = ["--guild", "1100000000000000001", "--database", database]

        let filed = try Warden.run(["appeals", "file", "1", "--user", "42", "--reason", "I was warning people"] + guild)
        #expect(filed.status == 0 && filed.stdout.contains("appeal #1 of log 1: pending"), "\(filed.stderr)")
        let wrongMember = try Warden.run(["appeals", "file", "2", "--user", "42", "--reason", "not mine"] + guild)
        #expect(wrongMember.status != 0 && wrongMember.stderr.contains("42"))
        #expect(try Warden.run(["appeals", "file", "2", "--user", "43", "--reason", "hacked"] + guild).status == 0)

        let listed = try Warden.run(["appeals", "list"] + guild)
        #expect(listed.stdout.split(separator: "\n").count == 2)
        let shown = try Warden.run(["appeals", "show", "1"] + guild)
        #expect(shown.stdout.contains(#""message_content" : "FREE NITRO https://discord-nitro.gift/claim""#))
        let approved = try Warden.run(["appeals", "approve", "1", "--by", "900", "--note", "quoted a scam"] + guild)
        #expect(approved.status == 0 && approved.stdout.contains("approved"), "\(approved.stderr)")
        let again = try Warden.run(["appeals", "deny", "1", "--by", "900", "--note", "changed my mind"] + guild)
        #expect(again.status != 0 && again.stderr.contains("approved"))
        #expect(try Warden.run(["appeals", "deny", "2", "--by", "900", "--note", "the link is a scam"] + guild).status == 0)
        #expect(try Warden.run(["appeals", "list", "--status", "approved"] + guild).stdout.contains("#1 "))

        let events = try Warden.run(["events", "--after", "0"] + guild)
        #expect(events.stdout.contains("appeal_reversal") && events.stdout.contains("appeal_denied"))

        let token = try Warden.run(["token", "create", "--role", "moderator", "--guild", "1100000000000000001", "--database", database])
        let secret = try #require(token.stdout.split(separator: "\n").last)
        #expect(secret.hasPrefix("wdn_") && secret.count > 40)
        #expect(try Warden.run(["token", "list", "--database", database]).stdout.contains("moderator"))
        #expect(!(try Warden.run(["token", "list", "--database", database]).stdout.contains(String(secret))))
        #expect(try Warden.run(["token", "revoke", "1", "--database", database]).status == 0)
        #expect(try Warden.run(["token", "revoke", "1", "--database", database]).status != 0)
    }
}
