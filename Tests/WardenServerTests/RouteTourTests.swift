import Foundation
import Hummingbird
import Testing
import WardenServer
import WardenStore
import Synchronization

/// Every route, answered over real HTTP, in the order a day of a guild might use them; at the end the
/// tour must have called each route the router serves (so a new route without a test fails here).
@Suite("Every route", .serialized)
struct RouteTourTests {
    @Test(arguments: allDialects)
    func everyRouteAnswersAsDocumented(_ dialect: SQLDialect) async throws {
        try await withServer(dialect) { h in
            let tour = Tour(harness: h)
            let bot = h.scoped[guildA]![.bot]!, mod = h.scoped[guildA]![.moderator]!
            let staff = h.scoped[guildA]![.staff]!, admin = h.scoped[guildA]![.admin]!
            let g = "/v1/guilds/\(guildA)"

            // Operations.
            #expect(try await tour.call(.get, "/health", nil).json["status"] as? String == "ok")
            #expect(try await count(h.database, "SELECT COUNT(*) AS n FROM health_check_history") == 1)
            let document = try await tour.call(.get, "/openapi.json", nil)
            #expect(document.json["openapi"] as? String == "3.1.0")

            // The bot: one message, a batch with a bad element in the middle.
            let scam = messageJSON("FREE NITRO for everyone!! claim here https://discord-nitro.gift/claim", user: 42)
            let blocked = try await tour.call(.post, "/v1/messages", bot, json: scam.json)
            #expect(blocked.status == 200)
            #expect(blocked.json["verdict"] as? String == "block")
            let logID = try #require(blocked.json["log_id"] as? Int)
            let again = try await tour.call(.post, "/v1/messages", bot, json: scam.json)
            #expect(again.json["log_id"] as? Int == logID, "a re-delivery gets the first decision")
            let batch = try await tour.call(.post, "/v1/messages/batch", bot,
                                            json: "[\(messageJSON("gg everyone").json), {\"id\": 5}, \(messageJSON("FREE NITRO https://discord-nitro.gift/x", user: 43).json)]")
            let results = try #require(batch.json["results"] as? [[String: Any]])
            #expect(results.count == 3)
            #expect(results[0]["verdict"] as? String == "allow")
            #expect((results[1]["error"] as? [String: Any])?["code"] as? String == "invalid_field")
            #expect(results[1]["index"] as? Int == 1)
            #expect(results[2]["verdict"] as? String == "block")
            let secondLog = try #require(results[2]["log_id"] as? Int)
            let metrics = try await tour.call(.get, "/metrics", nil)
            #expect(metrics.text.contains("warden_messages_total 4"))
            #expect(metrics.text.contains(#"warden_decisions_total{verdict="block"} 3"#))
            // The Gateway route (GatewayTests has the rest): an event Warden does not act on.
            let typing = try await tour.call(.post, "/v1/gateway", bot, json: #"{"op": 0, "t": "TYPING_START", "s": 3, "d": {"guild_id": "\#(guildA)", "user_id": "42"}}"#)
            #expect(typing.status == 200 && typing.json["ignored"] as? String == "TYPING_START")
            // Cases (CaseTests has the rest): the two automatic ones, then a moderator's note, read and corrected.
            let noted = try await tour.call(.post, "\(g)/cases", mod, json: #"{"user_id": "77", "action": "note", "reason": "Asked about the rules", "moderator_id": "9"}"#)
            #expect(noted.status == 201 && (noted.json["case"] as? [String: Any])?["number"] as? Int == 3, "\(noted.text)")
            #expect((try await tour.call(.get, "\(g)/cases", mod).json["cases"] as? [Any])?.count == 3)
            #expect(try await tour.call(.get, "\(g)/cases/3", mod).json["reason"] as? String == "Asked about the rules")
            #expect(try await tour.call(.patch, "\(g)/cases/3", mod, json: #"{"reason": "Asked about rule 4", "moderator_id": "9"}"#).status == 200)
            // Forgetting a member (PrivacyTests has the rest): one Warden never saw.
            let forgot = try await tour.call(.delete, "\(g)/users/777", admin)
            #expect(forgot.status == 200 && (forgot.json["forgotten"] as? [String: Any])?["logs"] as? Int == 0, "\(forgot.text)")

            // Moderators: history, appeals end to end.
            let history = try await tour.call(.get, "\(g)/users/42/history", mod)
            let pointsBefore = (history.json["points"] as? [[String: Any]])?.compactMap { $0["points"] as? Double }.reduce(0, +) ?? 0
            #expect(pointsBefore > 0)
            #expect((history.json["logs"] as? [Any])?.count == 1)
            let filed = try await tour.call(.post, "\(g)/appeals", bot, json: #"{"log_id": \#(logID), "user_id": "42", "reason": "I was sharing a warning about that scam"}"#)
            #expect(filed.status == 201)
            let appealID = try #require(filed.json["id"] as? Int)
            let twice = try await tour.call(.post, "\(g)/appeals", bot, json: #"{"log_id": \#(logID), "user_id": "42", "reason": "again"}"#)
            #expect(twice.status == 409 && twice.errorCode == "already_appealed")
            let pending = try await tour.call(.get, "\(g)/appeals?status=pending", mod)
            let listed = try #require((pending.json["appeals"] as? [[String: Any]])?.first)
            #expect((listed["log"] as? [String: Any])?["message_content"] as? String == "FREE NITRO for everyone!! claim here https://discord-nitro.gift/claim")
            #expect((listed["rule"] as? [String: Any])?["name"] is String)
            #expect(listed["evidence"] != nil)
            #expect(listed["triage"] is NSNull, "no LLM here: no triage (AppealTriageRoutesTests has one)")
            #expect(try await tour.call(.get, "\(g)/appeals/\(appealID)", mod).status == 200)
            let approved = try await tour.call(.post, "\(g)/appeals/\(appealID)/approve", mod, json: #"{"moderator_id": "900", "note": "quoted a scam to warn others"}"#)
            #expect(approved.json["status"] as? String == "approved")
            let events = try await tour.call(.get, "\(g)/events?after=0", bot)
            let kinds = (events.json["events"] as? [[String: Any]])?.compactMap { $0["kind"] as? String } ?? []
            #expect(kinds.contains("appeal_reversal"))
            let cursor = try #require(events.json["cursor"] as? Int)
            let after = try await tour.call(.get, "\(g)/users/42/history", mod)
            let pointsAfter = (after.json["points"] as? [[String: Any]])?.compactMap { $0["points"] as? Double }.reduce(0, +) ?? 0
            #expect(pointsAfter < pointsBefore, "approving refunds the points the log added")
            let second = try await tour.call(.post, "\(g)/appeals", bot, json: #"{"log_id": \#(secondLog), "user_id": "43", "reason": "not me"}"#)
            let secondID = try #require(second.json["id"] as? Int)
            let noNote = try await tour.call(.post, "\(g)/appeals/\(secondID)/deny", mod, json: #"{"moderator_id": "900"}"#)
            #expect(noNote.status == 400)
            let denied = try await tour.call(.post, "\(g)/appeals/\(secondID)/deny", mod, json: #"{"moderator_id": "900", "note": "the link is a known scam"}"#)
            #expect(denied.json["status"] as? String == "denied")
            // Long-poll: the denial is already there, so the read answers at once.
            let next = try await tour.call(.get, "\(g)/events?after=\(cursor)&wait=5", bot)
            #expect((next.json["events"] as? [[String: Any]])?.first?["kind"] as? String == "appeal_denied")

            // Tickets.
            let opened = try await tour.call(.post, "\(g)/tickets", bot, json: #"{"user_id": "42", "username": "u42", "description": "my payment did not unlock premium"}"#)
            #expect(opened.status == 201)
            let ticket = try #require(opened.json["id"] as? Int)
            #expect(try await tour.call(.post, "\(g)/tickets/\(ticket)/messages", bot, json: #"{"author_id": "42", "content": "I paid with Ko-fi yesterday"}"#).status == 201)
            #expect(try await tour.call(.post, "\(g)/tickets/\(ticket)/transitions", staff, json: #"{"event": "claim", "by": "77"}"#).json["status"] as? String == "claimed")
            #expect(try await tour.call(.post, "\(g)/tickets/\(ticket)/transitions", staff, json: #"{"event": "close"}"#).json["status"] as? String == "closed")
            let invalid = try await tour.call(.post, "\(g)/tickets/\(ticket)/transitions", staff, json: #"{"event": "wait_for_user"}"#)
            #expect(invalid.status == 409 && invalid.errorCode == "invalid_transition")
            let shown = try await tour.call(.get, "\(g)/tickets/\(ticket)", staff)
            #expect((shown.json["messages"] as? [Any])?.count == 2, "the description and the added message")

            // Verification screenshots.
            let image = try Array(Data(contentsOf: URL(fileURLWithPath: fixturesPath + "/screenshots/valid.png")))
            let uploaded = try await tour.call(.post, "\(g)/verifications?user_id=42&channel_id=7", bot, body: image, contentType: "image/png")
            #expect(uploaded.status == 202 && uploaded.json["status"] as? String == "pending")
            let verification = try #require(uploaded.json["id"] as? Int)
            let notAnImage = try await tour.call(.post, "\(g)/verifications?user_id=42", bot, body: Array("hello".utf8), contentType: "image/png")
            #expect(notAnImage.status == 422 && notAnImage.errorCode == "invalid_image")
            #expect(try await tour.call(.get, "\(g)/verifications/\(verification)", bot).status == 200)
            try await h.database.transaction { conn in
                try conn.execute("UPDATE verification_tickets SET status = 'manual_review' WHERE id = $1", [.int(Int64(verification))])
            }
            let reviews = try await tour.call(.get, "\(g)/verifications", mod)
            #expect((reviews.json["verifications"] as? [[String: Any]])?.count == 1)
            let resolved = try await tour.call(.post, "\(g)/verifications/\(verification)/resolve", mod, json: #"{"verified": true, "moderator_id": "900"}"#)
            #expect(resolved.json["status"] as? String == "verified")

            // Staff: FAQ proposals and search.
            let proposals = try await h.database.transaction { conn in
                try (0..<2).compactMap { index in
                    try FAQRepository.insertProposal(on: conn, FAQRepository.NewProposal(
                        guildID: Int64(bitPattern: guildA), clusterKey: "premium-\(index)", title: "Premium not unlocked after paying \(index)",
                        answer: "Link your Ko-fi email in /premium link; it unlocks within a minute.", keywords: ["premium", "kofi"],
                        sourceTicketIDs: [Int64(ticket)], sourceCount: 3, promptHash: nil, expiresAt: Date().addingTimeInterval(86_400)), at: Date())
                }
            }
            #expect(proposals.count == 2)
            let list = try await tour.call(.get, "\(g)/faq/proposals", staff)
            #expect((list.json["proposals"] as? [Any])?.count == 2)
            #expect(try await tour.call(.get, "\(g)/faq/proposals/\(proposals[0])", staff).json["sources"] != nil)
            let edited = try await tour.call(.patch, "\(g)/faq/proposals/\(proposals[0])", staff, json: #"{"staff_id": "77", "title": "Premium after paying"}"#)
            #expect(edited.json["title"] as? String == "Premium after paying" && edited.json["status"] as? String == "pending")
            let entry = try await tour.call(.post, "\(g)/faq/proposals/\(proposals[0])/approve", staff, json: #"{"staff_id": "77"}"#)
            #expect(entry.status == 201 && entry.json["title"] as? String == "Premium after paying")
            let rejected = try await tour.call(.post, "\(g)/faq/proposals/\(proposals[1])/reject", staff, json: #"{"staff_id": "77", "reason": "duplicate"}"#)
            #expect(rejected.json["status"] as? String == "rejected")
            let search = try await tour.call(.get, "\(g)/faq/search?q=premium%20paying&user_id=42", bot)
            #expect((search.json["results"] as? [Any])?.count == 1)
            #expect(try await count(h.database, "SELECT COUNT(*) AS n FROM admin_log WHERE action LIKE 'faq_proposal.%'") == 3)

            // FAQ deflection: the bot asks for answers when a ticket opens; the member says one solved it.
            let asking = try #require(try await tour.call(.post, "\(g)/tickets", bot, json: #"{"user_id": "44", "description": "premium did not unlock after paying"}"#).json["id"] as? Int)
            let suggested = try await tour.call(.post, "\(g)/tickets/\(asking)/suggestions", bot, json: #"{"limit": 2}"#)
            let suggestedEntry = try #require((suggested.json["suggestions"] as? [[String: Any]])?.first?["entry_id"] as? Int)
            #expect(suggestedEntry == entry.json["id"] as? Int)
            let solved = try await tour.call(.post, "\(g)/tickets/\(asking)/suggestions/\(suggestedEntry)/solved", bot, json: #"{"user_id": "44"}"#)
            #expect(solved.json["status"] as? String == "closed" && solved.json["changed"] as? Bool == true)
            let deflection = try await tour.call(.get, "\(g)/faq/deflection?days=30", staff)
            #expect(deflection.json["tickets_suggested"] as? Int == 1 && deflection.json["deflection_rate"] as? Double == 1)
            // Its transcript, in each form.
            let transcript = try await tour.call(.get, "\(g)/tickets/\(asking)/transcript?format=html", staff)
            #expect(transcript.status == 200 && transcript.headers[.contentType] == "text/html; charset=utf-8")
            #expect(transcript.text.contains("premium did not unlock after paying"))

            // Admins: rules.
            let rules = try await tour.call(.get, "\(g)/rules", admin)
            #expect(((rules.json["rules"] as? [Any])?.count ?? 0) > 5)
            let rule = #"{"name": "no-pineapple", "type": "content", "keywords": ["pineapple pizza"], "action": {"type": "warn", "severity": 1, "reason": "Taste"}}"#
            // Backtested before it is saved: the guild's logs (the scams above) and a message of the admin's.
            let pizza = messageJSON("pineapple pizza is the best").json
            let backtest = try await tour.call(.post, "\(g)/rules/backtest", admin, json: #"{"rule": \#(rule), "messages": [\#(pizza)]}"#)
            #expect(backtest.status == 200, "\(backtest.text)")
            let newly = try #require(backtest.json["newly_flagged"] as? [String: Any])
            #expect(newly["count"] as? Int == 1 && newly["from_messages"] as? Int == 1)
            #expect(((backtest.json["replayed"] as? [String: Any])?["logs"] as? Int ?? 0) >= 2 && backtest.json["complete"] as? Bool == true)
            #expect(((newly["examples"] as? [[String: Any]])?.first?["after"] as? [String: Any])?["rules"] as? [String] == ["no-pineapple"])
            let unknownRule = try await tour.call(.post, "\(g)/rules/backtest", admin, json: #"{"enable": "no-such-rule"}"#)
            #expect(unknownRule.status == 404 && unknownRule.errorCode == "not_found")
            let twoChanges = try await tour.call(.post, "\(g)/rules/backtest", admin, json: #"{"rule": \#(rule), "disable": "x"}"#)
            #expect(twoChanges.status == 400 && twoChanges.errorCode == "invalid_body")
            let badMessage = try await tour.call(.post, "\(g)/rules/backtest", admin, json: #"{"disable": "mention-spam", "messages": [{"id": 5}]}"#)
            #expect(badMessage.status == 400 && badMessage.text.contains("messages[0]"), "\(badMessage.text)")
            let misspelt = try await tour.call(.post, "\(g)/rules/backtest", admin, json: #"{"disable": "mention-spam", "max_log": 5}"#)
            #expect(misspelt.status == 400 && misspelt.text.contains("max_log"))
            #expect(try await tour.call(.post, "\(g)/rules/backtest", mod, json: #"{"disable": "mention-spam"}"#).status == 403)
            #expect(try await tour.call(.put, "\(g)/rules/no-pineapple", admin, json: rule).status == 201)
            let badRule = try await tour.call(.put, "\(g)/rules/broken", admin, json: #"{"name": "broken", "type": "content", "regex": ["("]}"#)
            #expect(badRule.status == 422 && badRule.errorCode == "invalid_rule")
            let dry = messageJSON("who wants pineapple pizza tonight").json
            #expect(try await tour.call(.post, "\(g)/rules/dry-run", admin, json: dry).json["verdict"] as? String == "flag")
            #expect(try await tour.call(.post, "\(g)/rules/no-pineapple/disable", admin).json["enabled"] as? Bool == false)
            #expect(try await tour.call(.post, "\(g)/rules/dry-run", admin, json: dry).json["verdict"] as? String == "allow")
            #expect(try await tour.call(.post, "\(g)/rules/no-pineapple/enable", admin).json["enabled"] as? Bool == true)

            // Admins: settings with history and rollback.
            #expect(try await tour.call(.put, "\(g)/settings/automod/llm_deadline_ms", admin, json: #"{"value": 900, "by": "1"}"#).status == 200)
            let refused = try await tour.call(.put, "\(g)/settings/automod/llm_deadline_ms", admin, json: #"{"value": "soon"}"#)
            #expect(refused.status == 422 && refused.errorCode == "invalid_setting")
            #expect(try await tour.call(.put, "\(g)/settings/automod/llm_deadline_ms", admin, json: #"{"value": 2000}"#).status == 200)
            let settings = try await tour.call(.get, "\(g)/settings?scope=automod", admin)
            #expect((settings.json["settings"] as? [[String: Any]])?.contains { $0["key"] as? String == "llm_deadline_ms" } == true)
            let changes = try #require(try await tour.call(.get, "\(g)/settings/automod/llm_deadline_ms/history", admin).json["changes"] as? [[String: Any]])
            #expect(changes.count == 2)
            let latest = try #require(changes.first?["id"] as? Int)
            let rolledBack = try await tour.call(.post, "\(g)/settings/automod/llm_deadline_ms/rollback", admin, json: #"{"change_id": \#(latest)}"#)
            #expect(rolledBack.json["value"] as? Int == 900)

            // Admins: tokens.
            let created = try await tour.call(.post, "/v1/tokens", admin, json: #"{"role": "moderator", "guild_id": "\#(guildA)", "label": "night shift"}"#)
            #expect(created.status == 201)
            let newToken = try #require(created.json["token"] as? String)
            let tokenID = try #require((created.json["record"] as? [String: Any])?["id"] as? Int)
            #expect(try await h.call(.get, "\(g)/appeals", token: newToken).status == 200)
            #expect(((try await tour.call(.get, "/v1/tokens", admin).json["tokens"] as? [Any])?.count ?? 0) >= 5)
            #expect(try await tour.call(.delete, "/v1/tokens/\(tokenID)", admin).status == 204)
            #expect(try await h.call(.get, "\(g)/appeals", token: newToken).status == 401)

            // Admins: webhooks (delivery itself is in WebhookRoutesTests and WebhookDeliveryTests).
            let hook = try await tour.call(.post, "/v1/webhooks", admin, json: #"{"url": "http://127.0.0.1:9/hook", "guild_id": "\#(guildA)", "events": ["appeal_reversal"]}"#)
            #expect(hook.status == 201)
            let hookID = try #require((hook.json["webhook"] as? [String: Any])?["id"] as? Int)
            #expect((hook.json["secret"] as? String)?.hasPrefix("whsec_") == true)
            #expect((try await tour.call(.get, "/v1/webhooks", admin).json["webhooks"] as? [Any])?.count == 1)
            #expect(try await tour.call(.get, "/v1/webhooks/\(hookID)", admin).json["events"] as? [String] == ["appeal_reversal"])
            let rotated = try await tour.call(.post, "/v1/webhooks/\(hookID)/secret", admin, json: #"{"keep_previous_seconds": 60}"#)
            #expect(rotated.json["secret"] as? String != hook.json["secret"] as? String)
            #expect((try await tour.call(.get, "/v1/webhooks/\(hookID)/deliveries", admin).json["deliveries"] as? [Any])?.isEmpty == true)
            #expect(try await tour.call(.post, "/v1/webhooks/\(hookID)/replay", admin, json: "{}").json["replayed"] as? Int == 0)
            #expect(try await tour.call(.delete, "/v1/webhooks/\(hookID)", admin).status == 204)

            let missed = tour.unvisited(h.service.router().routes.map { ($0.method.rawValue, "\($0.path)") }.filter { !ConsolePaths.isPage($0.1) })
            #expect(missed.isEmpty, "routes the tour did not call: \(missed)")
        }
    }
}

/// Calls routes through the harness and remembers which route patterns were answered.
final class Tour: Sendable {
    let harness: Harness
    private let visited = Mutex<Set<String>>([])

    init(harness: Harness) { self.harness = harness }

    @discardableResult
    func call(_ method: HTTPRequest.Method, _ path: String, _ token: String?, json: String? = nil, body: [UInt8]? = nil,
              contentType: String? = nil) async throws -> Reply {
        let reply = try await harness.call(method, path, token: token, json: json, body: body, contentType: contentType)
        let bare = String(path.split(separator: "?", maxSplits: 1).first ?? "")
        visited.withLock { $0.insert("\(method.rawValue) \(bare)") }
        return reply
    }

    /// The routes (method, pattern) no visited path matched.
    func unvisited(_ routes: [(String, String)]) -> [String] {
        let paths = visited.withLock { $0 }
        return routes.filter { method, pattern in
            let parts = Self.segments(pattern)
            return !paths.contains { visit in
                let split = visit.split(separator: " ", maxSplits: 1).map(String.init)
                guard split.count == 2, split[0] == method else { return false }
                let concrete = Self.segments(split[1])
                guard concrete.count == parts.count else { return false }
                return zip(parts, concrete).allSatisfy { $0.hasPrefix(":") || $0.hasPrefix("{") || $0 == $1 }
            }
        }.map { "\($0.0) \($0.1)" }
    }

    static func segments(_ path: String) -> [String] { path.split(separator: "/").map(String.init) }
}
