import Foundation
import Synchronization
import Testing
import WardenCore
import WardenPipeline
import WardenServer
import WardenStore
import WardenTestSupport

/// Cases, manual actions and temporary punishments, through the API, the CLI and the desk, on both stores.
@Suite("Cases, manual actions and temporary punishments")
struct CaseTests {
    static let start = DiscordTimestamp.parse("2026-12-01T12:00:00Z") ?? Date()

    static func events(_ db: any Database, kind: String) async throws -> [[String: Any]] {
        try await db.transaction { conn in
            try conn.query("SELECT payload FROM events WHERE kind = $1 ORDER BY id", [.text(kind)]).map { try $0.string("payload") }
        }.map { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] ?? [:] }
    }

    static func actionTypes(_ payload: [String: Any]) -> [String] { (payload["actions"] as? [[String: Any]] ?? []).compactMap { $0["type"] as? String } }

    @Test(arguments: allDialects) func moderatorsRecordActionsThatReachTheBotAndAreNumbered(_ dialect: SQLDialect) async throws {
        let now = Mutex(Self.start)
        try await withServer(dialect, clock: { now.withLock { $0 } }) { h in
            let mod = h.scoped[guildA]![.moderator]!, admin = h.tokens[.admin]
            let cases = "/v1/guilds/\(guildA)/cases"
            _ = try await h.call(.put, "/v1/guilds/\(guildA)/settings/automod/manual_warning_points", token: admin, json: #"{"value": 2}"#)

            let warn = try await h.call(.post, cases, token: mod, json: #"{"user_id": "42", "action": "warn", "reason": "Spoilers in #general", "moderator_id": "9"}"#)
            #expect(warn.status == 201, "\(warn.text)")
            #expect((warn.json["case"] as? [String: Any])?["number"] as? Int == 1)
            #expect(Self.actionTypes(warn.json) == ["warn"] && warn.json["event_id"] as? Int != nil)
            let history = try await h.call(.get, "/v1/guilds/\(guildA)/users/42/history", token: mod)
            #expect(history.text.contains("manual_warn") && (history.json["cases"] as? [[String: Any]])?.first?["number"] as? Int == 1, "\(history.text)")

            // Refused, naming what is wrong; nothing numbered.
            let noDuration = try await h.call(.post, cases, token: mod, json: #"{"user_id": "42", "action": "timeout", "reason": "x", "moderator_id": "9"}"#)
            #expect(noDuration.status == 400 && noDuration.errorCode == "invalid_duration", "\(noDuration.text)")
            let noReason = try await h.call(.post, cases, token: mod, json: #"{"user_id": "42", "action": "kick", "reason": "  ", "moderator_id": "9"}"#)
            #expect(noReason.status == 400 && noReason.errorCode == "invalid_reason")
            let unknown = try await h.call(.post, cases, token: mod, json: #"{"user_id": "42", "action": "smite", "reason": "x", "moderator_id": "9"}"#)
            #expect(unknown.status == 400 && unknown.errorCode == "unknown_action" && unknown.text.contains("warn"))
            let noRole = try await h.call(.post, cases, token: mod, json: #"{"user_id": "42", "action": "mute", "reason": "cool off", "duration_seconds": 600, "moderator_id": "9"}"#)
            #expect(noRole.status == 409 && noRole.errorCode == "no_mute_role", "\(noRole.text)")

            // A role mute for ten minutes, a note, a week's ban.
            _ = try await h.call(.put, "/v1/guilds/\(guildA)/settings/automod/mute_role_id", token: admin, json: #"{"value": "4444"}"#)
            let mute = try await h.call(.post, cases, token: mod, json: #"{"user_id": "43", "action": "mute", "reason": "cool off", "duration_seconds": 600, "moderator_id": "9"}"#)
            #expect(mute.status == 201 && Self.actionTypes(mute.json) == ["add_role"], "\(mute.text)")
            #expect((mute.json["actions"] as? [[String: Any]])?.first?["role_id"] as? String == "4444")
            let note = try await h.call(.post, cases, token: mod, json: #"{"user_id": "43", "action": "note", "reason": "Was polite after", "moderator_id": "9"}"#)
            #expect(note.status == 201 && Self.actionTypes(note.json).isEmpty && note.json["event_id"] is NSNull)
            let ban = try await h.call(.post, cases, token: mod, json: #"{"user_id": "44", "action": "ban", "reason": "Raid organiser", "duration_seconds": 604800, "moderator_id": "9"}"#)
            #expect((ban.json["case"] as? [String: Any])?["number"] as? Int == 4)

            // An automatic action is a case too, numbered in the same sequence.
            let scam = try await h.call(.post, "/v1/messages", token: h.tokens[.bot], json: messageJSON("FREE NITRO https://discord-nitro.gift/claim", user: 45).json)
            #expect(scam.json["verdict"] as? String == "block")
            let listed = try await h.call(.get, cases, token: mod)
            let numbers = (listed.json["cases"] as? [[String: Any]] ?? []).compactMap { $0["number"] as? Int }
            #expect(numbers == [5, 4, 3, 2, 1], "\(listed.text)")
            let automatic = (listed.json["cases"] as? [[String: Any]])?.first ?? [:]
            #expect(automatic["source"] as? String == "automod" && automatic["moderator_id"] is NSNull && automatic["log_id"] as? Int == scam.json["log_id"] as? Int)

            // Correcting a reason is audited with both texts.
            let edited = try await h.call(.patch, "\(cases)/1", token: mod, json: #"{"reason": "Spoilers in #general (season finale)", "moderator_id": "10"}"#)
            #expect(edited.status == 200 && edited.json["reason"] as? String == "Spoilers in #general (season finale)", "\(edited.text)")
            let audit = try await h.database.transaction { conn in try AdminLogRepository.entries(on: conn, targetType: "case", targetID: "\(Int64(bitPattern: guildA)):1") }
            #expect(audit.map(\.action) == ["case.open", "case.edit"] && audit.last?.actorID == 10)
            #expect(audit.last?.beforeJSON?.contains("Spoilers in #general\"") == true)
            #expect(try await h.call(.get, "\(cases)/99", token: mod).status == 404)

            // The mute ends after ten minutes: its role is removed, once.
            now.withLock { $0 = Self.start.addingTimeInterval(601) }
            #expect(try await h.service.app.cases.expireDue() == 1)
            #expect(try await h.service.app.cases.expireDue() == 0)
            let expired = try await Self.events(h.database, kind: CaseDesk.expiredEventKind)
            #expect(expired.count == 1 && Self.actionTypes(expired[0]) == ["remove_role"] && expired[0]["kind"] as? String == "mute")
            // Lifting the ban early cancels its end.
            let unban = try await h.call(.post, cases, token: mod, json: #"{"user_id": "44", "action": "unban", "reason": "Appeal by email accepted", "moderator_id": "9"}"#)
            #expect(Self.actionTypes(unban.json) == ["unban"])
            now.withLock { $0 = Self.start.addingTimeInterval(8 * 86_400) }
            #expect(try await h.service.app.cases.expireDue() == 0)
            #expect(try await Self.events(h.database, kind: CaseDesk.manualActionEventKind).count == 4)

            // The CLI records through the same desk.
            let cli = try Warden.run(["cases", "add", "kick", "--guild", "\(guildA)", "--user", "46", "--moderator", "9", "--reason", "Alt account", "--database", h.url])
            #expect(cli.status == 0 && cli.stdout.contains("case #7: kick of member 46"), "\(cli.stdout)\(cli.stderr)")
            let listing = try Warden.run(["cases", "list", "--guild", "\(guildA)", "--user", "46", "--database", h.url])
            #expect(listing.stdout.contains("#7") && listing.stdout.contains("\"Alt account\""), "\(listing.stdout)")
        }
    }

    @Test(arguments: allDialects) func aTemporaryBanEndsOnceAcrossARestartAndAnApprovedAppealCancelsIt(_ dialect: SQLDialect) async throws {
        let now = Mutex(Self.start)
        try await withServer(dialect, clock: { now.withLock { $0 } }) { h in
            let admin = h.tokens[.admin], mod = h.scoped[guildA]![.moderator]!, bot = h.tokens[.bot]!
            let rule = try await h.call(.put, "/v1/guilds/\(guildA)/rules/no-pineapple", token: admin, json:
                #"{"name": "no-pineapple", "type": "content", "keywords": ["pineapple pizza"], "action": {"type": "ban", "duration": "1d", "severity": 5}}"#)
            #expect(rule.status == 201, "\(rule.text)")
            let first = try await h.call(.post, "/v1/messages", token: bot, json: messageJSON("pineapple pizza is great", user: 51).json)
            let ban = (first.json["actions"] as? [[String: Any]])?.first { $0["type"] as? String == "ban" } ?? [:]
            #expect(ban["duration_seconds"] as? Int == 86_400, "\(first.text)")
            let second = try await h.call(.post, "/v1/messages", token: bot, json: messageJSON("pineapple pizza forever", user: 52).json)
            let appealedLog = try #require(second.json["log_id"] as? Int)
            #expect(try await count(h.database, "SELECT COUNT(*) AS n FROM temp_punishments WHERE ended_at IS NULL") == 2)

            // Member 52 appeals and is right: the ban is lifted now (the reversal's unban) and does not end again later.
            let filed = try await h.call(.post, "/v1/guilds/\(guildA)/appeals", token: bot, json: #"{"log_id": \#(appealedLog), "user_id": "52", "reason": "It was a joke"}"#)
            let appeal = try #require(filed.json["id"] as? Int)
            let approved = try await h.call(.post, "/v1/guilds/\(guildA)/appeals/\(appeal)/approve", token: mod, json: #"{"moderator_id": "9"}"#)
            #expect(approved.status == 200, "\(approved.text)")
            #expect(try await count(h.database, "SELECT COUNT(*) AS n FROM temp_punishments WHERE outcome = 'lifted'") == 1)

            // A restart: another process opens the store; the day passes; both it and this one look for due ends,
            // at once and again: member 51's unban is written exactly once.
            now.withLock { $0 = Self.start.addingTimeInterval(86_401) }
            let reopened = try await DatabaseOpener.open(url: h.url)
            let other = CaseDesk(database: reopened, clock: { now.withLock { $0 } })
            async let a = other.expireDue()
            async let b = h.service.app.cases.expireDue()
            let total = try await a + b
            #expect(total == 1)
            #expect(try await other.expireDue() + h.service.app.cases.expireDue() == 0)
            await reopened.close()
            let expired = try await Self.events(h.database, kind: CaseDesk.expiredEventKind)
            #expect(expired.count == 1 && expired.first?["user_id"] as? String == "51" && Self.actionTypes(expired[0]) == ["unban"], "\(expired)")
            let cases = try await h.call(.get, "/v1/guilds/\(guildA)/cases?user=51", token: mod)
            #expect((cases.json["cases"] as? [[String: Any]])?.first?["duration_seconds"] as? Int == 86_400, "\(cases.text)")
        }
    }

    @Test(arguments: allDialects) func aRulesMuteUsesTheGuildsMuteRoleAndEndsByItself(_ dialect: SQLDialect) async throws {
        let now = Mutex(Self.start)
        try await withServer(dialect, clock: { now.withLock { $0 } }) { h in
            let admin = h.tokens[.admin], mod = h.scoped[guildA]![.moderator]!, bot = h.tokens[.bot]!
            let rule = try await h.call(.put, "/v1/guilds/\(guildA)/rules/no-caps-rage", token: admin, json:
                #"{"name": "no-caps-rage", "type": "content", "keywords": ["shut up noob"], "action": {"type": "mute", "duration": "10m", "severity": 2}}"#)
            #expect(rule.status == 201, "\(rule.text)")
            // Without a mute role, a mute is Discord's timeout, as before.
            let timedOut = try await h.call(.post, "/v1/messages", token: bot, json: messageJSON("shut up noob", user: 71).json)
            #expect(Self.actionTypes(timedOut.json).contains("timeout"), "\(timedOut.text)")
            _ = try await h.call(.put, "/v1/guilds/\(guildA)/settings/automod/mute_role_id", token: admin, json: #"{"value": "4444"}"#)
            let muted = try await h.call(.post, "/v1/messages", token: bot, json: messageJSON("shut up noob", user: 72).json)
            let add = (muted.json["actions"] as? [[String: Any]])?.first { $0["type"] as? String == "add_role" } ?? [:]
            #expect(add["role_id"] as? String == "4444" && add["duration_seconds"] as? Int == 600, "\(muted.text)")
            // An approved appeal removes the role now, and the mute does not end again later.
            let log = try #require(muted.json["log_id"] as? Int)
            let filed = try await h.call(.post, "/v1/guilds/\(guildA)/appeals", token: bot, json: #"{"log_id": \#(log), "user_id": "72", "reason": "quoting a friend"}"#)
            let appeal = try #require(filed.json["id"] as? Int)
            #expect(try await h.call(.post, "/v1/guilds/\(guildA)/appeals/\(appeal)/approve", token: mod, json: #"{"moderator_id": "9"}"#).status == 200)
            let reversal = try await Self.events(h.database, kind: "appeal_reversal").first ?? [:]
            #expect(Self.actionTypes(reversal) == ["remove_role"], "\(reversal)")
            now.withLock { $0 = Self.start.addingTimeInterval(700) }
            #expect(try await h.service.app.cases.expireDue() == 0)
            // Member 73's mute ends by itself.
            let other = try await h.call(.post, "/v1/messages", token: bot, json: messageJSON("shut up noob", user: 73).json)
            #expect(Self.actionTypes(other.json).contains("add_role"))
            now.withLock { $0 = Self.start.addingTimeInterval(1_400) }
            #expect(try await h.service.app.cases.expireDue() == 1)
            let expired = try await Self.events(h.database, kind: CaseDesk.expiredEventKind)
            #expect(expired.count == 1 && Self.actionTypes(expired[0]) == ["remove_role"] && expired[0]["user_id"] as? String == "73")
        }
    }
}
