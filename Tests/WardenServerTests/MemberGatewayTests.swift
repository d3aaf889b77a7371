import Foundation
import Synchronization
import Testing
import WardenCore
import WardenServer
import WardenStore
import WardenTestSupport

/// `GUILD_MEMBER_ADD` and `GUILD_MEMBER_UPDATE` through `POST /v1/gateway`: raid protection, the account-age
/// gate, profile rules on members' names, and attachments through `MESSAGE_CREATE`, on both stores.
@Suite("Gateway dispatches: joins, raids, profiles, attachments")
struct MemberGatewayTests {
    static let joined = DiscordTimestamp.parse("2026-12-01T18:00:00.000000+00:00") ?? Date()

    /// A user id Discord would have made at `created`.
    static func userID(createdAt created: Date, serial: UInt64) -> String {
        let millis = UInt64(created.timeIntervalSince1970 * 1000) - Snowflake.discordEpochMillis
        return String(millis << 22 | (serial & 0x3FFFFF))
    }

    static func join(user: String, username: String, globalName: String? = nil, at: Date, event: String = "guild_member_add", nick: String? = nil,
                     sequence: Int? = nil) throws -> String {
        var user: [String: Any] = ["id": user, "username": username]
        if let globalName { user["global_name"] = globalName }
        return try GatewayTests.dispatch(event, ["user": user, "joined_at": DiscordTimestamp.format(at), "nick": nick], sequence: sequence)
    }

    /// Fifty different usernames (no two share their letters, so only the join count can start a raid).
    static func name(_ i: Int) -> String {
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        return String([letters[i % 26], letters[(i / 26 + i * 7) % 26], letters[(i * 11 + 3) % 26]]) + "guest\(i)"
    }

    static func types(_ reply: Reply) -> [String] { GatewayTests.actionTypes(reply) }

    @Test(arguments: allDialects) func aRaidOfFiftyAccountsInTenSecondsStartsAndEndsRaidMode(_ dialect: SQLDialect) async throws {
        // The service's clock just after the joins (joins delivered long after they happened start no raid).
        let now = Mutex(Self.joined.addingTimeInterval(10))
        try await withServer(dialect, clock: { now.withLock { $0 } }) { h in
            let set = try await h.call(.put, "/v1/guilds/\(guildA)/settings/automod/raid_protection", token: h.tokens[.admin],
                                       json: #"{"value": {"joins": 10, "window_seconds": 10, "quiet_seconds": 60, "lockdown_hours": 2, "action": {"type": "kick"}}}"#)
            #expect(set.status == 200, "\(set.text)")
            let old = DiscordTimestamp.parse("2021-03-01T00:00:00Z") ?? Date()
            var replies: [Reply] = []
            for i in 0..<50 {
                // Accounts of every age and name: the join count alone starts the raid.
                let at = Self.joined.addingTimeInterval(Double(i) * 0.2)
                let user = Self.userID(createdAt: old.addingTimeInterval(Double(i) * 86_400 * 7), serial: UInt64(i))
                replies.append(try await h.call(.post, "/v1/gateway", token: h.tokens[.bot], json: try Self.join(user: user, username: Self.name(i), at: at)))
            }
            #expect(replies.allSatisfy { $0.status == 200 })
            #expect(replies[0..<9].allSatisfy { $0.json["verdict"] as? String == "allow" && Self.types($0).isEmpty })
            let tenth = replies[9]
            #expect(tenth.json["message_id"] is NSNull && tenth.json["channel_id"] is NSNull, "\(tenth.text)")
            #expect(Self.types(tenth).first == "incident_actions" && Self.types(tenth).contains("kick") && Self.types(tenth).contains("alert"), "\(tenth.text)")
            let lockdown = (tenth.json["actions"] as? [[String: Any]])?.first ?? [:]
            // Two hours from now (Discord counts the lockdown from when it is set, and refuses more than 24 hours).
            #expect(lockdown["invites_disabled_until"] as? String == DiscordTimestamp.format(Self.joined.addingTimeInterval(10 + 7_200)), "\(lockdown)")
            #expect(lockdown["dms_disabled_until"] as? String == lockdown["invites_disabled_until"] as? String)
            // One alert for the raid, at its start: not one per member joining during it.
            #expect(replies[10...].allSatisfy { Self.types($0) == ["kick"] && $0.json["verdict"] as? String == "flag" })
            #expect(replies[10...].allSatisfy { !Self.types($0).contains("incident_actions") })
            #expect(try await count(h.database, "SELECT COUNT(*) AS n FROM events WHERE kind = 'raid_started'") == 1)

            // A join delivered twice is judged once: the same answer, the raid's count unchanged.
            let fortieth = try Self.join(user: Self.userID(createdAt: old.addingTimeInterval(40 * 86_400 * 7), serial: 40), username: Self.name(40),
                                         at: Self.joined.addingTimeInterval(8))
            #expect(try await h.call(.post, "/v1/gateway", token: h.tokens[.bot], json: fortieth).text == replies[40].text)
            // A minute and more of quiet later, the next join ends the raid first and is judged on its own.
            now.withLock { $0 = Self.joined.addingTimeInterval(80) }
            let later = try await h.call(.post, "/v1/gateway", token: h.tokens[.bot],
                                         json: try Self.join(user: Self.userID(createdAt: old, serial: 999), username: "latecomer", at: Self.joined.addingTimeInterval(9.8 + 61)))
            #expect(later.json["verdict"] as? String == "allow" && Self.types(later).isEmpty, "\(later.text)")
            let ended = try await h.database.transaction { conn in
                try conn.queryFirst("SELECT payload FROM events WHERE kind = 'raid_ended'")?.string("payload")
            }
            let payload = (try? JSONSerialization.jsonObject(with: Data((ended ?? "").utf8))) as? [String: Any] ?? [:]
            #expect(payload["joins"] as? Int == 41 && (payload["trigger"] as? [String: Any])?["kind"] as? String == "joins", "\(ended ?? "no raid_ended event")")
            #expect(payload["ended_at"] as? String == DiscordTimestamp.format(Self.joined.addingTimeInterval(9.8 + 60)))
            #expect(try await count(h.database, "SELECT COUNT(*) AS n FROM raid_modes WHERE ended_at IS NULL") == 0)
            #expect(try await count(h.database, "SELECT COUNT(*) AS n FROM automod_logs WHERE message_id IS NULL") == 41)
        }
    }

    @Test(arguments: allDialects) func quietRaidsEndWithoutAnotherJoin(_ dialect: SQLDialect) async throws {
        let now = Mutex(Self.joined)
        try await withServer(dialect, clock: { now.withLock { $0 } }) { h in
            let set = try await h.call(.put, "/v1/guilds/\(guildA)/settings/automod/raid_protection", token: h.tokens[.admin],
                                       json: #"{"value": {"similar_names": 3, "window_seconds": 30, "quiet_seconds": 120}}"#)
            #expect(set.status == 200, "\(set.text)")
            let old = DiscordTimestamp.parse("2020-01-01T00:00:00Z") ?? Date()
            for (i, name) in ["raider_01", "raider_02", "rаider03"].enumerated() {   // the third with a Cyrillic а
                let reply = try await h.call(.post, "/v1/gateway", token: h.tokens[.bot],
                                             json: try Self.join(user: Self.userID(createdAt: old, serial: UInt64(i)), username: name, at: Self.joined.addingTimeInterval(Double(i))))
                #expect(reply.status == 200, "\(reply.text)")
                if i == 2 { #expect(Self.types(reply).contains("incident_actions") && Self.types(reply).contains("timeout"), "\(reply.text)") }
            }
            now.withLock { $0 = Self.joined.addingTimeInterval(60) }
            #expect(try await h.service.app.members.endQuietRaids() == 0, "not quiet long enough yet")
            now.withLock { $0 = Self.joined.addingTimeInterval(200) }
            #expect(try await h.service.app.members.endQuietRaids() == 1)
            #expect(try await h.service.app.members.endQuietRaids() == 0, "ended once")
            #expect(try await count(h.database, "SELECT COUNT(*) AS n FROM events WHERE kind = 'raid_ended'") == 1)
        }
    }

    @Test(arguments: allDialects) func theAccountAgeGateAndLookalikeStaffNames(_ dialect: SQLDialect) async throws {
        try await withServer(dialect) { h in
            let admin = h.tokens[.admin]
            let young = try await h.call(.put, "/v1/guilds/\(guildA)/rules/new-accounts", token: admin, json:
                #"{"name": "new-accounts", "type": "profile", "max_account_age_days": 7, "action": {"type": "timeout", "duration": "1h", "severity": 2}}"#)
            #expect(young.status == 201, "\(young.text)")
            let staff = try await h.call(.put, "/v1/guilds/\(guildA)/rules/fake-staff", token: admin, json:
                #"{"name": "fake-staff", "type": "profile", "keywords": ["discord staff", "discord moderator"], "action": {"type": "nickname", "severity": 1}}"#)
            #expect(staff.status == 201, "\(staff.text)")

            // A day-old account: the gate. A five-year-old one: nothing.
            let dayOld = Self.userID(createdAt: Self.joined.addingTimeInterval(-86_400), serial: 1)
            let gated = try await h.call(.post, "/v1/gateway", token: h.tokens[.bot], json: try Self.join(user: dayOld, username: "newbie", at: Self.joined))
            #expect(gated.json["verdict"] as? String == "flag" && Self.types(gated).contains("timeout"), "\(gated.text)")
            let evidence = (GatewayTests.matches(gated).first?["evidence"] as? [String: Any]) ?? [:]
            #expect(evidence["detector"] as? String == "account_age_days" && evidence["observed"] as? Int == 1 && evidence["threshold"] as? Int == 7)
            let veteran = Self.userID(createdAt: Self.joined.addingTimeInterval(-5 * 365 * 86_400), serial: 2)
            let fine = try await h.call(.post, "/v1/gateway", token: h.tokens[.bot], json: try Self.join(user: veteran, username: "veteran", at: Self.joined.addingTimeInterval(1)))
            #expect(fine.json["verdict"] as? String == "allow" && Self.types(fine).isEmpty, "\(fine.text)")

            // "Dіscord Ѕtaff" with Cyrillic і and Ѕ as a display name: renamed, not punished otherwise.
            let impostor = try await h.call(.post, "/v1/gateway", token: h.tokens[.bot],
                                            json: try Self.join(user: veteran.replacingOccurrences(of: "2", with: "3"), username: "helper_bot", globalName: "Dіscord Ѕtaff", at: Self.joined.addingTimeInterval(2)))
            #expect(Self.types(impostor).contains("set_nickname"), "\(impostor.text)")
            let rename = (impostor.json["actions"] as? [[String: Any]])?.first { $0["type"] as? String == "set_nickname" } ?? [:]
            #expect((rename["nick"] as? String)?.hasPrefix("Member ") == true)
            let found = (GatewayTests.matches(impostor).first?["evidence"] as? [String: Any]) ?? [:]
            #expect(found["field"] as? String == "global_name" && found["source"] as? String == "profile")

            // The veteran later calls themselves "Discord Moderator": caught on the update; the same names again are judged once.
            let update = try Self.join(user: veteran, username: "veteran", at: Self.joined.addingTimeInterval(1), event: "guild_member_update", nick: "discord moderator")
            let renamed = try await h.call(.post, "/v1/gateway", token: h.tokens[.bot], json: update)
            #expect(Self.types(renamed).contains("set_nickname"), "\(renamed.text)")
            // The same dispatch delivered again (same sequence number): its first answer.
            let again = try await h.call(.post, "/v1/gateway", token: h.tokens[.bot], json: update)
            #expect(again.text == renamed.text)
            // The impostor's roles change (Discord sends an update for that too): names judged at the join, not again.
            let impostorID = veteran.replacingOccurrences(of: "2", with: "3")
            func impostorUpdate(nick: String?, sequence: Int) throws -> String {
                try Self.join(user: impostorID, username: "helper_bot", globalName: "Dіscord Ѕtaff", at: Self.joined.addingTimeInterval(2),
                              event: "guild_member_update", nick: nick, sequence: sequence)
            }
            let roles = try await h.call(.post, "/v1/gateway", token: h.tokens[.bot], json: try impostorUpdate(nick: nil, sequence: 70))
            #expect(roles.json["ignored"] as? String == "GUILD_MEMBER_UPDATE", "\(roles.text)")
            #expect(try await count(h.database, "SELECT COUNT(*) AS n FROM automod_logs WHERE user_id = \(impostorID)") == 1)
            // The bot's neutral nickname is judged (and allowed)... and taking the staff name back is caught again.
            let neutral = try await h.call(.post, "/v1/gateway", token: h.tokens[.bot], json: try impostorUpdate(nick: "Member 0003", sequence: 71))
            #expect(Self.types(neutral).contains("set_nickname"), "the display name is still the staff one: \(neutral.text)")
            let back = try await h.call(.post, "/v1/gateway", token: h.tokens[.bot], json: try impostorUpdate(nick: "Discord Staff", sequence: 72))
            #expect(Self.types(back).contains("set_nickname"), "\(back.text)")
            // A join without Discord's joined_at cannot be told from its re-delivery: refused, naming the field.
            let undated = try await h.call(.post, "/v1/gateway", token: h.tokens[.bot],
                                           json: try GatewayTests.dispatch("guild_member_add", ["joined_at": nil]))
            #expect(undated.status == 400 && undated.text.contains("joined_at"), "\(undated.text)")
            // The age gate is a condition of joining: a young member's other updates are not gated again.
            let youngUpdate = try await h.call(.post, "/v1/gateway", token: h.tokens[.bot],
                                               json: try Self.join(user: dayOld, username: "newbie", at: Self.joined, event: "guild_member_update", nick: "new name"))
            #expect(youngUpdate.json["verdict"] as? String == "allow", "\(youngUpdate.text)")
            // The fixtures' update: a lookalike staff nickname.
            let fixture = try await h.call(.post, "/v1/gateway", token: h.tokens[.bot], json: try GatewayTests.dispatch("guild_member_update"))
            #expect(Self.types(fixture).contains("set_nickname"), "\(fixture.text)")
        }
    }

    @Test(arguments: allDialects) func executablesAndDoubleExtensionsInAMessage(_ dialect: SQLDialect) async throws {
        try await withServer(dialect) { h in
            let rule = try await h.call(.put, "/v1/guilds/\(guildA)/rules/no-programs", token: h.tokens[.admin], json:
                #"{"name": "no-programs", "type": "attachments", "extensions": ["exe", "scr"], "action": {"type": "delete", "severity": 2}}"#)
            #expect(rule.status == 201, "\(rule.text)")
            func message(_ id: String, _ file: String) throws -> String {
                try GatewayTests.dispatch("message_create", ["id": id, "content": "here you go", "attachments": [["id": "1", "filename": file, "size": 48_000, "content_type": "application/octet-stream"]]])
            }
            let plain = try await h.call(.post, "/v1/gateway", token: h.tokens[.bot], json: try message("1313213212712345801", "setup.exe"))
            #expect(plain.json["verdict"] as? String == "block" && GatewayTests.matches(plain).first?["rule"] as? String == "no-programs", "\(plain.text)")
            let double = try await h.call(.post, "/v1/gateway", token: h.tokens[.bot], json: try message("1313213212712345802", "invoice.pdf.exe"))
            let rules = GatewayTests.matches(double).compactMap { $0["rule"] as? String }
            #expect(rules.contains("disguised-executable") && Self.types(double).contains("timeout"), "\(double.text)")
            let fine = try await h.call(.post, "/v1/gateway", token: h.tokens[.bot], json: try message("1313213212712345803", "holiday.jpg"))
            #expect(fine.json["verdict"] as? String == "allow", "\(fine.text)")
        }
    }
}
