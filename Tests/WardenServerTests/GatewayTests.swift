import Foundation
import Testing
import WardenCore
import WardenServer
import WardenStore
import WardenTestSupport

/// `POST /v1/gateway`: Discord Gateway dispatches as the bot receives them (the samples in fixtures/gateway),
/// on both stores, over real HTTP.
@Suite("Gateway dispatches: edits, embeds, native AutoMod")
struct GatewayTests {
    /// A fixture dispatch, with `d`'s fields replaced by `changes` (nil removes a field).
    static func dispatch(_ name: String, _ changes: [String: Any?] = [:], sequence: Int? = nil) throws -> String {
        let data = try Data(contentsOf: URL(fileURLWithPath: fixturesPath).appendingPathComponent("gateway/\(name).json"))
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var d = try #require(object["d"] as? [String: Any])
        for (key, value) in changes { d[key] = value ?? nil }
        for (key, value) in changes where value == nil { d.removeValue(forKey: key) }
        object["d"] = d
        if let sequence { object["s"] = sequence }
        return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    static let message = "1313213212712345601"
    static let author = "1200000000000000042"
    static var guild: Int64 { Int64(bitPattern: guildA) }

    func post(_ h: Harness, _ json: String, token: String? = nil) async throws -> Reply {
        try await h.call(.post, "/v1/gateway", token: token ?? h.tokens[.bot], json: json)
    }

    static func matches(_ reply: Reply) -> [[String: Any]] { reply.json["matches"] as? [[String: Any]] ?? [] }
    static func actionTypes(_ reply: Reply) -> [String] { (reply.json["actions"] as? [[String: Any]] ?? []).compactMap { $0["type"] as? String } }
    /// A member's points in their history answer, summed over rule types.
    static func points(_ history: Reply) -> Double {
        (history.json["points"] as? [[String: Any]] ?? []).reduce(0) { $0 + (($1["points"] as? Double) ?? 0) }
    }
    static func revision(_ reply: Reply) -> [String: Any] { reply.json["revision"] as? [String: Any] ?? [:] }

    @Test(arguments: allDialects) func anEditTurningACleanMessageIntoAScamIsBlockedAndLinkedToTheFirstDecision(_ dialect: SQLDialect) async throws {
        try await withServer(dialect) { h in
            let created = try await post(h, try Self.dispatch("message_create"))
            #expect(created.status == 200 && created.json["verdict"] as? String == "allow", "\(created.text)")

            let edit = try Self.dispatch("message_update_edit")
            let judged = try await post(h, edit)
            #expect(judged.status == 200, "\(judged.text)")
            #expect(judged.json["verdict"] as? String == "block", "\(judged.text)")
            #expect(judged.json["message_id"] as? String == Self.message)
            #expect(Self.matches(judged).allSatisfy { ($0["evidence"] as? [String: Any])?["source"] as? String == "edit" })
            #expect(Self.actionTypes(judged).contains("delete_message"), "\(judged.text)")
            #expect(Self.actionTypes(judged).contains { $0 == "timeout" || $0 == "ban" || $0 == "kick" }, "the scam rule punishes: \(judged.text)")
            let link = Self.revision(judged)
            #expect(link["kind"] as? String == "edit" && link["edited_timestamp"] as? String == "2026-12-01T18:09:40.871000+00:00")
            #expect(link["previous_verdict"] as? String == "allow" && link["previous_log_id"] is NSNull)
            #expect(judged.json["log_id"] as? Int != nil)

            // The same edit delivered again: its first decision, nothing written twice.
            let again = try await post(h, edit)
            #expect(again.text == judged.text)
            #expect(try await count(h.database, "SELECT COUNT(*) AS n FROM automod_logs WHERE guild_id = $1", [.int(Self.guild)]) == 1)
            #expect(try await count(h.database, "SELECT COUNT(*) AS n FROM automod_logs WHERE revision LIKE 'edit:%'") == 1)
            // Both decisions are kept: the message's and the edit's.
            #expect(try await count(h.database, "SELECT COUNT(*) AS n FROM message_decisions WHERE guild_id = $1", [.int(Self.guild)]) == 1)
            #expect(try await count(h.database, "SELECT COUNT(*) AS n FROM gateway_events WHERE guild_id = $1", [.int(Self.guild)]) == 1)
        }
    }

    @Test(arguments: allDialects) func anEditTurningAScamClean(_ dialect: SQLDialect) async throws {
        try await withServer(dialect) { h in
            let scam = try await post(h, try Self.dispatch("message_create", ["content": "FREE NITRO https://discord-nitro.gift/claim"]))
            #expect(scam.json["verdict"] as? String == "block", "\(scam.text)")
            let firstLog = try #require(scam.json["log_id"] as? Int)
            let history = try await h.call(.get, "/v1/guilds/\(guildA)/users/\(Self.author)/history", token: h.tokens[.moderator])
            let pointsBefore = Self.points(history)

            let clean = try await post(h, try Self.dispatch("message_update_edit", ["content": "sorry, wrong channel"]))
            #expect(clean.json["verdict"] as? String == "allow", "\(clean.text)")
            #expect(Self.actionTypes(clean).isEmpty && clean.json["log_id"] is NSNull)
            #expect(Self.revision(clean)["previous_verdict"] as? String == "block")
            #expect(Self.revision(clean)["previous_log_id"] as? Int == firstLog)
            // The first decision stands (the message was deleted and punished); the edit adds nothing.
            #expect(try await count(h.database, "SELECT COUNT(*) AS n FROM automod_logs WHERE guild_id = $1", [.int(Self.guild)]) == 1)
            let after = try await h.call(.get, "/v1/guilds/\(guildA)/users/\(Self.author)/history", token: h.tokens[.moderator])
            #expect(Self.points(after) == pointsBefore && pointsBefore > 0)
        }
    }

    @Test(arguments: allDialects) func anEditMatchingOnlyRulesMatchedBeforeIsNotPunishedAgain(_ dialect: SQLDialect) async throws {
        try await withServer(dialect) { h in
            let first = try await post(h, try Self.dispatch("message_create", ["content": "FREE NITRO https://discord-nitro.gift/claim"]))
            #expect(first.json["verdict"] as? String == "block")
            let points = ((first.json["escalation"] as? [String: Any])?["points"] as? Double) ?? -1
            let edit = try await post(h, try Self.dispatch("message_update_edit", ["content": "FREE NITRO https://discord-nitro.gift/other"]))
            #expect(edit.json["verdict"] as? String == "block", "\(edit.text)")
            #expect(!Self.actionTypes(edit).contains { $0 == "timeout" || $0 == "ban" || $0 == "kick" || $0 == "warn" }, "\(edit.text)")
            #expect(((edit.json["escalation"] as? [String: Any])?["points"] as? Double).map { abs($0 - points) < 0.01 } == true, "\(edit.text)")
            #expect((Self.revision(edit)["previous_rules"] as? [String])?.isEmpty == false)
        }
    }

    @Test(arguments: allDialects) func embedsDiscordAddsLaterAreJudgedOnTheirOwn(_ dialect: SQLDialect) async throws {
        try await withServer(dialect) { h in
            // The message as sent: a bare link.
            let created = try await post(h, try Self.dispatch("message_create", ["id": "1313213212712345602", "content": "look https://gifts.example/49382"]))
            #expect(created.json["verdict"] as? String == "allow", "\(created.text)")
            // Discord's preview, without author or content: the author comes from the first decision.
            let embeds = try await post(h, try Self.dispatch("message_update_embeds"))
            #expect(embeds.status == 200, "\(embeds.text)")
            #expect(embeds.json["verdict"] as? String == "block", "\(embeds.text)")
            #expect(embeds.json["user_id"] as? String == Self.author)
            #expect(!Self.matches(embeds).isEmpty && Self.matches(embeds).allSatisfy { ($0["evidence"] as? [String: Any])?["source"] as? String == "embeds" })
            #expect(Self.revision(embeds)["kind"] as? String == "embeds")
            // Discord unfurls the link of an edit later, with the same edited_timestamp: judged as well.
            let edited = try Self.dispatch("message_update_edit", ["id": "1313213212712345602", "content": "look https://gifts.example/49382 again"])
            let editJudged = try await post(h, edited)
            let unfurled = try await post(h, try Self.dispatch("message_update_edit", ["id": "1313213212712345602", "content": "look https://gifts.example/49382 again",
                                                                                     "embeds": [["title": "FREE NITRO - claim your gift", "url": "https://discord-nitro.gift/claim"]]]))
            #expect(editJudged.json["verdict"] as? String == "allow", "\(editJudged.text)")
            #expect(unfurled.json["verdict"] as? String == "block", "\(unfurled.text)")
            #expect(Self.matches(unfurled).contains { ($0["evidence"] as? [String: Any])?["source"] as? String == "embeds" }, "\(unfurled.text)")
            // Its rules were matched by the earlier embeds: the message goes, nobody is punished twice.
            #expect(!Self.actionTypes(unfurled).contains { $0 == "ban" || $0 == "timeout" || $0 == "kick" } && Self.actionTypes(unfurled).contains("delete_message"),
                    "\(unfurled.text)")
            #expect(unfurled.text != editJudged.text, "a new revision, not the edit's answer again")
            // Discord's cached preview can come with the message itself: judged with it.
            let withPreview = try await post(h, try Self.dispatch("message_create", ["id": "1313213212712345604", "content": "look https://gifts.example/1",
                                                                                    "embeds": [["title": "FREE NITRO - claim your gift", "url": "https://discord-nitro.gift/claim"]]]))
            #expect(withPreview.json["verdict"] as? String == "block" && Self.revision(withPreview)["kind"] as? String == "embeds", "\(withPreview.text)")
            #expect(try await post(h, try Self.dispatch("message_create", ["id": "1313213212712345604", "content": "look https://gifts.example/1",
                                                                          "embeds": [["title": "FREE NITRO - claim your gift", "url": "https://discord-nitro.gift/claim"]]])).text == withPreview.text,
                    "delivered again: the same answer")
            // A bot's message is not judged, nor are its embeds.
            let fromBot = try await post(h, try Self.dispatch("message_create", ["id": "1313213212712345603", "content": "daily digest",
                                                                                "author": ["id": "1200000000000000099", "username": "digest", "bot": true]]))
            #expect(fromBot.json["skipped"] as? String == "bot", "\(fromBot.text)")
            let botEmbeds = try await post(h, try Self.dispatch("message_update_embeds", ["id": "1313213212712345603"]))
            #expect(botEmbeds.json["ignored"] as? String == "MESSAGE_UPDATE", "\(botEmbeds.text)")
            // A partial update of a message Warden never saw cannot name its author: nothing to do.
            let unknown = try await post(h, try Self.dispatch("message_update_embeds", ["id": "1313213212712349999"]))
            #expect(unknown.status == 200 && unknown.json["ignored"] as? String == "MESSAGE_UPDATE", "\(unknown.text)")
            // An update that changes neither text nor embeds (a pin): nothing to do.
            let pin = try await post(h, try Self.dispatch("message_update_edit", ["edited_timestamp": nil, "embeds": []]))
            #expect(pin.json["ignored"] as? String == "MESSAGE_UPDATE", "\(pin.text)")
        }
    }

    @Test(arguments: allDialects) func aNativeAutoModHitIsLoggedOnceAndCountsInEscalation(_ dialect: SQLDialect) async throws {
        try await withServer(dialect) { h in
            let set = try await h.call(.put, "/v1/guilds/\(guildA)/settings/automod/discord_automod_points", token: h.tokens[.admin], json: #"{"value": 3}"#)
            #expect(set.status == 200, "\(set.text)")
            // One hit of a rule with three actions: block, alert, timeout, each its own dispatch.
            let block = try await post(h, try Self.dispatch("auto_moderation_action_execution"))
            #expect(block.status == 200, "\(block.text)")
            #expect(block.json["verdict"] as? String == "block", "\(block.text)")
            let match = try #require(Self.matches(block).first)
            #expect(match["type"] as? String == "discord_automod")
            let evidence = match["evidence"] as? [String: Any] ?? [:]
            #expect(evidence["keyword"] as? String == "*followers*" && evidence["source"] as? String == "discord_automod")
            // Three points reach the standard ladder's first step: a 10-minute timeout is Warden's to ask for.
            #expect(Self.actionTypes(block).contains("timeout") && !Self.actionTypes(block).contains("delete_message"), "\(block.text)")
            let alert = try await post(h, try Self.dispatch("auto_moderation_action_execution",
                                                           ["action": ["type": 2, "metadata": ["channel_id": "1100000000000000777"]]]))
            let timeout = try await post(h, try Self.dispatch("auto_moderation_action_execution",
                                                             ["action": ["type": 3, "metadata": ["duration_seconds": 60]]]))
            #expect(alert.text == block.text && timeout.text == block.text)
            #expect(try await count(h.database, "SELECT COUNT(*) AS n FROM automod_logs WHERE source = 'discord_automod'") == 1)
            let history = try await h.call(.get, "/v1/guilds/\(guildA)/users/\(Self.author)/history", token: h.tokens[.moderator])
            #expect(history.text.contains("discord_automod"), "\(history.text)")
            // Another hit (another message) counts again.
            let second = try await post(h, try Self.dispatch("auto_moderation_action_execution", ["action": ["type": 2], "message_id": "1313213212712345700"]))
            #expect(((second.json["escalation"] as? [String: Any])?["points"] as? Double ?? 0) > 5, "\(second.text)")
        }
    }

    @Test(arguments: allDialects) func envelopesArraysAndErrors(_ dialect: SQLDialect) async throws {
        try await withServer(dialect) { h in
            let typing = try await post(h, try Self.dispatch("typing_start"))
            #expect(typing.status == 200 && typing.json["ignored"] as? String == "TYPING_START", "\(typing.text)")
            let heartbeat = try await post(h, #"{"op": 1, "d": 41}"#)
            #expect(heartbeat.status == 400 && heartbeat.errorCode == "invalid_dispatch" && heartbeat.text.contains("op"), "\(heartbeat.text)")
            let noType = try await post(h, #"{"op": 0, "d": {}}"#)
            #expect(noType.status == 400 && noType.text.contains("'t'"), "\(noType.text)")
            let badUpdate = try await post(h, #"{"op": 0, "t": "MESSAGE_UPDATE", "d": {"id": "12", "guild_id": "x"}}"#)
            #expect(badUpdate.status == 400 && badUpdate.text.contains("guild_id"), "\(badUpdate.text)")
            // Another guild's token may not send this guild's events.
            let foreign = try await post(h, try Self.dispatch("message_create"), token: h.scoped[guildB]?[.bot])
            #expect(foreign.status == 403, "\(foreign.text)")

            // An array: in order, a bad element in its place, the others judged.
            let array = "[" + [try Self.dispatch("message_create"), #"{"op": 0, "t": "MESSAGE_CREATE", "d": {"id": "1"}}"#,
                               try Self.dispatch("message_update_edit"), try Self.dispatch("typing_start")].joined(separator: ",") + "]"
            let batch = try await post(h, array)
            let results = batch.json["results"] as? [[String: Any]] ?? []
            #expect(results.count == 4, "\(batch.text)")
            guard results.count == 4 else { return }
            #expect(results[0]["verdict"] as? String == "allow")
            #expect(results[1]["index"] as? Int == 1 && (results[1]["error"] as? [String: Any])?["code"] as? String != nil)
            #expect(results[2]["verdict"] as? String == "block")
            #expect(results[3]["ignored"] as? String == "TYPING_START")
        }
    }

    /// Consecutive MESSAGE_CREATEs of an array are judged together: each still gets its own answer in its place
    /// (a bad one, another guild's, a scam, a cached preview), an edit after them sees its message, and the
    /// array delivered again gets the same answers with one decision stored per message.
    @Test(arguments: allDialects) func aRunOfNewMessagesIsJudgedTogetherInOrder(_ dialect: SQLDialect) async throws {
        try await withServer(dialect) { h in
            // Thirty members, one message each (one member's thirty would be spam).
            func create(_ n: Int, _ changes: [String: Any?] = [:]) throws -> String {
                var fields: [String: Any?] = ["id": "\(1313213212712346000 + n)", "content": "message \(n) of the run",
                                              "author": ["id": "\(1200000000000100000 + n)", "username": "member\(n)"]]
                for (key, value) in changes { fields[key] = value }
                return try Self.dispatch("message_create", fields)
            }
            var dispatches = try (0..<30).map { try create($0) }
            dispatches[5] = #"{"op": 0, "t": "MESSAGE_CREATE", "d": {"id": "1"}}"#
            dispatches[9] = try create(9, ["guild_id": String(guildB)])
            dispatches[12] = try create(12, ["content": "FREE NITRO for everyone https://discord-nitro.gift/claim"])
            dispatches[20] = try create(20, ["content": "look https://gifts.example/1",
                                             "embeds": [["title": "FREE NITRO - claim your gift", "url": "https://discord-nitro.gift/claim"]]])
            // An edit of the run's first message, after the run: judged against its first decision.
            dispatches.append(try Self.dispatch("message_update_edit", ["id": "1313213212712346000",
                                                                        "author": ["id": "1200000000000100000", "username": "member0"]]))
            let array = "[" + dispatches.joined(separator: ",") + "]"
            let token = try #require(h.scoped[guildA]?[.bot])
            func rejected() async throws -> Double {
                let line = try await h.call(.get, "/metrics", token: nil).text.split(separator: "\n")
                    .first { $0.hasPrefix("warden_messages_rejected_total") }
                return line.flatMap { $0.split(separator: " ").last.flatMap { Double($0) } } ?? 0
            }
            let rejectedBefore = try await rejected()
            let first = try await post(h, array, token: token)
            // Bad input is counted as rejected (the element without a guild), another guild's message is not.
            #expect(try await rejected() - rejectedBefore == 1)
            let results = first.json["results"] as? [[String: Any]] ?? []
            #expect(first.status == 200 && results.count == 31, "\(first.text.prefix(400))")
            guard results.count == 31 else { return }
            for (n, result) in results.enumerated().prefix(30) {
                switch n {
                case 5: #expect(result["index"] as? Int == 5 && (result["error"] as? [String: Any])?["code"] as? String == "invalid_field", "\(result)")
                case 9: #expect(result["index"] as? Int == 9 && (result["error"] as? [String: Any])?["code"] as? String == "forbidden_guild", "\(result)")
                case 12: #expect(result["verdict"] as? String == "block" && result["message_id"] as? String == "1313213212712346012", "\(result)")
                case 20: #expect(result["verdict"] as? String == "block" && (result["revision"] as? [String: Any])?["kind"] as? String == "embeds", "\(result)")
                default: #expect(result["verdict"] as? String == "allow" && result["message_id"] as? String == "\(1313213212712346000 + n)", "\(result)")
                }
            }
            #expect(results[30]["verdict"] as? String == "block" && (results[30]["revision"] as? [String: Any])?["previous_verdict"] as? String == "allow",
                    "\(results[30])")
            let again = try await post(h, array, token: token)
            #expect(again.text == first.text, "delivered again: the same answers")
            #expect(try await count(h.database, "SELECT COUNT(*) AS n FROM message_decisions WHERE guild_id = $1 AND message_id BETWEEN $2 AND $3",
                                    [.int(Self.guild), .int(1313213212712346000), .int(1313213212712346029)]) == 28)
        }
    }
}
