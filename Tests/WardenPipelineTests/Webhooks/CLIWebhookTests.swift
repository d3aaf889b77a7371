import Foundation
import Testing
import WardenTestSupport

/// `warden admin webhook`, run as the executable: the same desk as the API, on a SQLite file.
@Suite struct CLIWebhookTests {
    let database = "sqlite:" + FileManager.default.temporaryDirectory.appendingPathComponent("warden-cli-webhook-\(UUID().uuidString).sqlite").path

    @Test func addListRotateAndRemoveAnEndpoint() throws {
        #expect(try Warden.run(["admin", "migrate", "--database", database]).status == 0)
        let added = try Warden.run(["admin", "webhook", "add", "--url", "https://bot.example.test/warden", "--guild", "1100000000000000001",
                                    "--event", "appeal_reversal", "--event", "llm_verdict", "--database", database])
        #expect(added.status == 0, "\(added.stderr)")
        let lines = added.stdout.split(separator: "\n")
        #expect(lines.first == "webhook 1: guild 1100000000000000001, appeal_reversal, llm_verdict")
        let secret = String(lines.last ?? "")
        #expect(secret.hasPrefix("whsec_") && secret.count == 70)

        let listed = try Warden.run(["admin", "webhook", "list", "--database", database])
        #expect(listed.stdout == "1\tguild 1100000000000000001\thttps://bot.example.test/warden\tpending 0\tdead 0\n")
        #expect(!listed.stdout.contains(secret), "list never shows a secret")

        let rotated = try Warden.run(["admin", "webhook", "rotate-secret", "1", "--keep-previous", "600", "--database", database])
        #expect(rotated.status == 0)
        #expect(rotated.stdout.split(separator: "\n").last.map(String.init) != secret)

        let badKind = try Warden.run(["admin", "webhook", "add", "--url", "https://x.test/", "--event", "ban", "--database", database])
        #expect(badKind.status != 0 && badKind.stderr.contains("events[0]"), "\(badKind.stderr)")
        let badURL = try Warden.run(["admin", "webhook", "add", "--url", "x.test", "--database", database])
        #expect(badURL.status != 0 && badURL.stderr.contains("url"))
        let badStatus = try Warden.run(["admin", "webhook", "deliveries", "1", "--status", "lost", "--database", database])
        #expect(badStatus.status != 0 && badStatus.stderr.contains("--status"))
        let badLimit = try Warden.run(["admin", "webhook", "deliveries", "1", "--limit", "0", "--database", database])
        #expect(badLimit.status != 0 && badLimit.stderr.contains("--limit must be 1-500"), "the API refuses 0 too: \(badLimit.stderr)")
        #expect(try Warden.run(["admin", "webhook", "deliveries", "1", "--database", database]).stdout.isEmpty)
        #expect(try Warden.run(["admin", "webhook", "replay", "1", "--database", database]).stdout == "replayed 0 dead deliveries of webhook 1\n")

        #expect(try Warden.run(["admin", "webhook", "remove", "1", "--database", database]).status == 0)
        let gone = try Warden.run(["admin", "webhook", "remove", "1", "--database", database])
        #expect(gone.status != 0 && gone.stderr.contains("webhook 1 not found"))
    }
}
