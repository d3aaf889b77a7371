import Foundation
import Testing
import WardenApp
import WardenLLMTestServer
import WardenPipeline
import WardenServer
import WardenStore

/// The webhook routes over real HTTP, and the service's own deliverer sending what the API's work appended:
/// registration rules, guild scopes, an event delivered signed, a refusal dead in the API and in /metrics, replay.
@Suite("Webhook routes", .serialized)
struct WebhookRoutesTests {
    @Test(arguments: allDialects)
    func anAppealReversalIsDeliveredSignedAndADeadDeliveryShowsAndReplays(_ dialect: SQLDialect) async throws {
        try await withServer(dialect) { h in
            let receiver = try await FakeLLMServer.start()
            receiver.setFallback { _ in .status(200, body: "ok") }
            let url = "http://127.0.0.1:\(receiver.port)/warden"
            let admin = h.tokens[.admin]!, adminA = h.scoped[guildA]![.admin]!, adminB = h.scoped[guildB]![.admin]!
            let g = "/v1/guilds/\(guildA)"

            // Registration: who may, and what is refused with the field named.
            let every = try await h.call(.post, "/v1/webhooks", token: admin, json: #"{"url": "\#(url)"}"#)
            #expect(every.status == 201)
            let secret = try #require(every.json["secret"] as? String)
            let everyID = try #require((every.json["webhook"] as? [String: Any])?["id"] as? Int)
            #expect((every.json["webhook"] as? [String: Any])?["guild_id"] == nil, "an endpoint of every guild has no guild_id")
            let own = try await h.call(.post, "/v1/webhooks", token: adminA, json: #"{"url": "\#(url)/a", "guild_id": "\#(guildA)", "events": ["appeal_denied"]}"#)
            #expect(own.status == 201)
            let ownID = try #require((own.json["webhook"] as? [String: Any])?["id"] as? Int)
            #expect(try await h.call(.post, "/v1/webhooks", token: h.tokens[.moderator]!, json: #"{"url": "\#(url)"}"#).status == 403)
            #expect(try await h.call(.post, "/v1/webhooks", token: adminA, json: #"{"url": "\#(url)"}"#).errorCode == "forbidden_guild")
            let otherGuild = try await h.call(.post, "/v1/webhooks", token: adminA, json: #"{"url": "\#(url)", "guild_id": "\#(guildB)"}"#)
            #expect(otherGuild.status == 403 && otherGuild.errorCode == "forbidden_guild")
            let typo = try await h.call(.post, "/v1/webhooks", token: admin, json: #"{"url": "\#(url)", "event": ["appeal_denied"]}"#)
            #expect(typo.status == 400 && typo.text.contains("'event'"), "a misspelt events must not subscribe to every kind: \(typo.text)")
            let badPort = try await h.call(.post, "/v1/webhooks", token: admin, json: #"{"url": "http://127.0.0.1:99999/x"}"#)
            #expect(badPort.status == 400 && badPort.text.contains("port"))
            let badURL = try await h.call(.post, "/v1/webhooks", token: admin, json: #"{"url": "ftp://example.test/"}"#)
            #expect(badURL.status == 400 && badURL.errorCode == "invalid_field" && badURL.text.contains("'url'"))
            let badKind = try await h.call(.post, "/v1/webhooks", token: admin, json: #"{"url": "\#(url)", "events": ["appeal_reversal", "ban"]}"#)
            #expect(badKind.status == 400 && badKind.text.contains("events[1]"))
            #expect(try await h.call(.post, "/v1/webhooks", token: admin, body: Array("url=x".utf8), contentType: "application/x-www-form-urlencoded").status == 415)
            #expect((try await h.call(.get, "/v1/webhooks", token: adminA).json["webhooks"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [ownID])
            #expect((try await h.call(.get, "/v1/webhooks", token: admin).json["webhooks"] as? [Any])?.count == 2)
            #expect(try await h.call(.get, "/v1/webhooks/\(everyID)", token: adminA).status == 404, "a scoped admin cannot see another scope's endpoint")
            #expect(try await h.call(.get, "/v1/webhooks/\(everyID)", token: admin).json["secret"] == nil, "the secret is shown only when made")

            // A member appeals a ban and a moderator approves: the reversal is appended, and delivered signed.
            let scam = messageJSON("FREE NITRO for everyone!! claim here https://discord-nitro.gift/claim", user: 42)
            let logID = try #require(try await h.call(.post, "/v1/messages", token: h.tokens[.bot]!, json: scam.json).json["log_id"] as? Int)
            let appealID = try #require(try await h.call(.post, "\(g)/appeals", token: h.tokens[.bot]!,
                                                         json: #"{"log_id": \#(logID), "user_id": "42", "reason": "I was warning people"}"#).json["id"] as? Int)
            #expect(try await h.call(.post, "\(g)/appeals/\(appealID)/approve", token: h.tokens[.moderator]!, json: #"{"moderator_id": "900"}"#).status == 200)
            let pass = try await h.service.webhooks.runOnce()
            #expect(pass.delivered == 1, "only the every-guild endpoint wants appeal_reversal: \(pass)")
            let delivery = try #require(receiver.requests.last)
            #expect(delivery.path == "/warden" && delivery.header("X-Warden-Event") == "appeal_reversal")
            try WebhookSignature.verify(header: delivery.header("X-Warden-Signature") ?? "", body: delivery.body, secret: secret, now: Date())
            let body = try #require(try JSONSerialization.jsonObject(with: Data(delivery.body)) as? [String: Any])
            #expect(body["guild_id"] as? String == String(guildA))
            let actions = (body["payload"] as? [String: Any])?["actions"] as? [[String: Any]]
            #expect(actions?.contains { $0["type"] as? String == "unban" && $0["user_id"] as? String == "42" } == true, "\(body)")
            let delivered = try await h.call(.get, "/v1/webhooks/\(everyID)/deliveries?status=delivered", token: admin)
            #expect((delivered.json["deliveries"] as? [[String: Any]])?.first?["id"] as? Int == delivery.header("X-Warden-Delivery").flatMap { Int($0) })
            #expect(try await h.call(.get, "/v1/webhooks/\(everyID)/deliveries?status=lost", token: admin).errorCode == "invalid_parameter")

            // The receiver refuses the next one (a denial, which both endpoints want): dead, in the API and /metrics.
            receiver.setFallback { request in request.path == "/warden" ? .status(401, body: "bad signature") : .status(200, body: "ok") }
            let second = messageJSON("FREE NITRO https://discord-nitro.gift/again", user: 43)
            let secondLog = try #require(try await h.call(.post, "/v1/messages", token: h.tokens[.bot]!, json: second.json).json["log_id"] as? Int)
            let secondAppeal = try #require(try await h.call(.post, "\(g)/appeals", token: h.tokens[.bot]!,
                                                             json: #"{"log_id": \#(secondLog), "user_id": "43", "reason": "please"}"#).json["id"] as? Int)
            #expect(try await h.call(.post, "\(g)/appeals/\(secondAppeal)/deny", token: h.tokens[.moderator]!, json: #"{"moderator_id": "900", "note": "scam"}"#).status == 200)
            let refused = try await h.service.webhooks.runOnce()
            #expect(refused.dead == 1 && refused.delivered == 1, "\(refused)")
            let dead = try await h.call(.get, "/v1/webhooks/\(everyID)/deliveries?status=dead", token: admin)
            let deadRow = try #require((dead.json["deliveries"] as? [[String: Any]])?.first)
            #expect(deadRow["last_status"] as? Int == 401 && deadRow["kind"] as? String == "appeal_denied")
            #expect(try await h.call(.get, "/v1/webhooks/\(everyID)", token: admin).json["dead"] as? Int == 1)
            let metrics = try await h.call(.get, "/metrics", token: nil).text
            #expect(metrics.contains(#"warden_webhook_deliveries{endpoint="\#(everyID)",status="dead"} 1"#), "\(metrics)")
            #expect(metrics.contains(#"warden_webhook_attempts_total{outcome="dead"} 1"#))
            // Drained endpoints read 0 rather than vanishing; the stream held by the dead one has nothing behind it.
            #expect(metrics.contains(#"warden_webhook_deliveries{endpoint="\#(ownID)",status="pending"} 0.0"#), "\(metrics)")
            #expect(metrics.contains(#"warden_webhook_oldest_pending_seconds{endpoint="\#(everyID)"} 0.0"#))
            #expect(metrics.contains(#"warden_webhook_attempts_total{outcome="delivered"} 2"#))

            // Fixed on the receiver's side: replay sends it again, with the same delivery id.
            receiver.setFallback { _ in .status(200, body: "ok") }
            #expect(try await h.call(.post, "/v1/webhooks/\(everyID)/replay", token: adminB, json: "{}").status == 404)
            #expect(try await h.call(.get, "/v1/webhooks/\(everyID)/deliveries", token: adminB).status == 404)
            #expect(try await h.call(.post, "/v1/webhooks/\(everyID)/secret", token: adminB, json: "{}").status == 404)
            #expect(try await h.call(.post, "/v1/webhooks/\(ownID)/replay", token: adminA, json: #"{"guild_id": "\#(guildB)"}"#).errorCode == "forbidden_guild")
            #expect(try await h.call(.post, "/v1/webhooks/\(everyID)/replay", token: admin, json: #"{"guild_id": "\#(guildA)"}"#).json["replayed"] as? Int == 1)
            #expect(try await h.service.webhooks.runOnce().delivered == 1)
            let ids = receiver.requests.filter { $0.path == "/warden" }.compactMap { $0.header("X-Warden-Delivery") }
            #expect(ids.count == 3 && ids[1] == ids[2], "\(ids)")
            // Both bodies may be left out.
            let bareReplay = try await h.call(.post, "/v1/webhooks/\(everyID)/replay", token: admin)
            #expect(bareReplay.json["replayed"] as? Int == 0, "\(bareReplay.status) \(bareReplay.text)")
            let bareRotation = try await h.call(.post, "/v1/webhooks/\(everyID)/secret", token: admin)
            #expect(bareRotation.status == 200, "\(bareRotation.text)")

            // Rotation answers the new secret once; bounds are checked.
            let rotated = try await h.call(.post, "/v1/webhooks/\(ownID)/secret", token: adminA, json: #"{"keep_previous_seconds": 3600}"#)
            #expect((rotated.json["secret"] as? String)?.hasPrefix("whsec_") == true)
            #expect((rotated.json["webhook"] as? [String: Any])?["previous_secret_until"] is String)
            let misspelt = try await h.call(.post, "/v1/webhooks/\(ownID)/secret", token: adminA, json: #"{"keep_previous_second": 0}"#)
            #expect(misspelt.status == 400 && misspelt.text.contains("'keep_previous_second'"), "\(misspelt.text)")
            let replayTypo = try await h.call(.post, "/v1/webhooks/\(ownID)/replay", token: adminA, json: #"{"guild": "1"}"#)
            #expect(replayTypo.status == 400 && replayTypo.text.contains("'guild'"))
            let tooLong = try await h.call(.post, "/v1/webhooks/\(ownID)/secret", token: adminA, json: #"{"keep_previous_seconds": 99999999}"#)
            #expect(tooLong.status == 400 && tooLong.text.contains("keep_previous_seconds"))

            // Removal: not by another guild's admin; then gone.
            #expect(try await h.call(.delete, "/v1/webhooks/\(ownID)", token: adminB).status == 404)
            #expect(try await h.call(.delete, "/v1/webhooks/\(ownID)", token: adminA).status == 204)
            #expect(try await h.call(.get, "/v1/webhooks/\(ownID)", token: admin).status == 404)
            #expect(try await h.call(.delete, "/v1/webhooks/99999999999999999999", token: admin).status == 400)
            try await receiver.shutdown()
        }
    }

    @Test func theDocumentNamesTheEventKindsAWebhookMayAskFor() async throws {
        try await withServer(.sqlite) { h in
            let document = try await h.call(.get, "/openapi.json", token: nil).json
            let schemas = (document["components"] as? [String: Any])?["schemas"] as? [String: Any]
            let registration = schemas?["WebhookRegistration"] as? [String: Any]
            let events = (registration?["properties"] as? [String: Any])?["events"] as? [String: Any]
            let items = events?["items"] as? [String: Any]
            #expect(items?["enum"] as? [String] == WardenApp.eventKinds, "scripts/openapi.py's EVENT_KINDS differs from WardenApp.eventKinds")
        }
    }
}
