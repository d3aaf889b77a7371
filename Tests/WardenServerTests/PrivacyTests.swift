import Foundation
import Synchronization
import Testing
import WardenCore
import WardenServer
import WardenStore
import WardenTestSupport

/// A guild's retention of members' text and a member's request to be forgotten, on both stores.
@Suite("Retention and forgetting members")
struct PrivacyTests {
    static let start = DiscordTimestamp.parse("2026-11-01T12:00:00Z") ?? Date()

    @Test(arguments: allDialects) func oldTextIsRedactedAndAForgottenMemberIsGone(_ dialect: SQLDialect) async throws {
        let now = Mutex(Self.start)
        try await withServer(dialect, clock: { now.withLock { $0 } }) { h in
            let admin = h.tokens[.admin]!, mod = h.scoped[guildA]![.moderator]!, bot = h.tokens[.bot]!
            let g = "/v1/guilds/\(guildA)"
            let set = try await h.call(.put, "\(g)/settings/automod/log_retention_days", token: admin, json: #"{"value": 30}"#)
            #expect(set.status == 200, "\(set.text)")
            #expect(try await h.call(.put, "\(g)/settings/automod/log_retention_days", token: admin, json: #"{"value": 0}"#).status == 422)
            let appealed = try await h.call(.post, "/v1/messages", token: bot, json: messageJSON("FREE NITRO https://discord-nitro.gift/a", user: 61).json)
            let kept = try await h.call(.post, "/v1/messages", token: bot, json: messageJSON("FREE NITRO https://discord-nitro.gift/b", user: 62).json)
            let appealedLog = try #require(appealed.json["log_id"] as? Int), keptLog = try #require(kept.json["log_id"] as? Int)
            #expect(try await h.call(.post, "\(g)/appeals", token: bot, json: #"{"log_id": \#(appealedLog), "user_id": "61", "reason": "not me"}"#).status == 201)
            #expect(try await h.call(.post, "\(g)/cases", token: mod, json: #"{"user_id": "62", "action": "note", "reason": "Known scammer alt", "moderator_id": "9"}"#).status == 201)
            let dailyBefore = try await count(h.database, "SELECT SUM(decisions) AS n FROM automod_daily")

            // A month and a day later: the text of member 62's log and of every case is gone; the counts stay.
            now.withLock { $0 = Self.start.addingTimeInterval(31 * 86_400) }
            let redacted = try await h.service.app.privacy.applyRetention()
            #expect(redacted.logs == 1 && redacted.cases == 3, "\(redacted)")   // two automatic cases and the note
            let row = try await h.database.transaction { conn in
                try conn.queryFirst("SELECT message_content, evidence, context, redacted_at FROM automod_logs WHERE id = $1", [.int(Int64(keptLog))])
            }
            #expect(try row?.string("message_content") == "" && row?.optionalTimestamp("redacted_at") != nil)
            let context = try row?.optionalString("context") ?? ""
            #expect(!context.contains("discord-nitro.gift") && context.contains("\"verdict\""), "\(context)")
            // The log with a pending appeal keeps its text until the appeal is decided.
            #expect(try await count(h.database, "SELECT COUNT(*) AS n FROM automod_logs WHERE id = \(appealedLog) AND redacted_at IS NULL") == 1)
            #expect(try await count(h.database, "SELECT SUM(decisions) AS n FROM automod_daily") == dailyBefore)
            #expect(try await count(h.database, "SELECT COUNT(*) AS n FROM cases WHERE reason IS NOT NULL") == 0)
            #expect(try await h.service.app.privacy.applyRetention().logs == 0, "a second pass finds nothing")

            // Member 61 asks to be forgotten: logs, appeal, points and cases go; the audit says what went.
            let forgot = try await h.call(.delete, "\(g)/users/61", token: admin)
            #expect(forgot.status == 200, "\(forgot.text)")
            let counts = forgot.json["forgotten"] as? [String: Any] ?? [:]
            #expect(counts["logs"] as? Int == 1 && counts["appeals"] as? Int == 1 && counts["cases"] as? Int == 1 && counts["points"] as? Int == 1, "\(forgot.text)")
            let history = try await h.call(.get, "\(g)/users/61/history", token: mod)
            #expect((history.json["logs"] as? [Any])?.isEmpty == true && (history.json["cases"] as? [Any])?.isEmpty == true && (history.json["points"] as? [Any])?.isEmpty == true)
            #expect(try await count(h.database, "SELECT COUNT(*) AS n FROM admin_log WHERE action = 'member.forget'") == 1)
            #expect(try await h.call(.delete, "\(g)/users/62", token: mod).status == 403, "moderators cannot forget members")
            // The CLI does the same.
            let cli = try Warden.run(["members", "forget", "62", "--guild", "\(guildA)", "--by", "9", "--database", h.url])
            #expect(cli.status == 0 && cli.stdout.contains("1 log(s)") && cli.stdout.contains("2 case(s)"), "\(cli.stdout)\(cli.stderr)")
            #expect(try await count(h.database, "SELECT COUNT(*) AS n FROM automod_logs WHERE guild_id = \(Int64(bitPattern: guildA))") == 0)
        }
    }
}
