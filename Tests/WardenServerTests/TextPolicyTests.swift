import Foundation
import Testing
import WardenCore
import WardenServer
import WardenStore

/// Issue 11, F2/F3: a text holding NUL (or another C0 control but tab, LF, CR) is refused with 400
/// `invalid_text` naming the field, on both stores, and nothing of the request is stored. Before, PostgreSQL
/// answered 500 (JSONB) or cut the text at the NUL while SQLite kept it.
@Suite("Text policy: control characters are refused, the same on both stores")
struct TextPolicyTests {
    /// Expects 400 `invalid_text` whose message names `field`, and returns the message.
    @discardableResult
    private func expectRefused(_ reply: Reply, field: String, _ what: String) -> String {
        let message = ((reply.json["error"] as? [String: Any])?["message"] as? String) ?? ""
        #expect(reply.status == 400 && reply.errorCode == "invalid_text", "\(what): \(reply.status) \(reply.text)")
        #expect(message.contains(field) && message.contains("U+0000"), "\(what): \(message)")
        return message
    }

    @Test(arguments: allDialects)
    func everyStoredTextFieldRefusesNUL(_ dialect: SQLDialect) async throws {
        try await withServer(dialect) { h in
            let admin = h.tokens[.admin], bot = h.tokens[.bot]
            let api = "/v1/guilds/\(guildA)"

            // Setting value (F2: JSONB refused the escape, 500).
            let setting = try await h.call(.put, "\(api)/settings/automod/mod_channel_id", token: admin, json: #"{"value": "7\u00008"}"#)
            let settingMessage = expectRefused(setting, field: "value", "setting value")
            #expect(settingMessage.contains("offset 1"), "\(settingMessage)")
            #expect(try await count(h.database, "SELECT COUNT(*) AS n FROM settings_history WHERE key = 'mod_channel_id'") == 0)

            // Rule keyword (F2), in the body form both the YAML and the JSON reader take.
            let rule = try await h.call(.put, "\(api)/rules/nul-words", token: admin,
                                        json: #"{"name": "nul-words", "type": "content", "keywords": ["ok", "fr\u0000ee"]}"#)
            expectRefused(rule, field: "keywords[1]", "rule keyword")
            #expect(try await count(h.database, "SELECT COUNT(*) AS n FROM automod_rules WHERE name = 'nul-words'") == 0)

            // Ticket description and username (F3: cut at the NUL on PostgreSQL).
            expectRefused(try await h.call(.post, "\(api)/tickets", token: bot, json: #"{"user_id": "42", "description": "a\u0000b"}"#),
                          field: "description", "ticket description")
            expectRefused(try await h.call(.post, "\(api)/tickets", token: bot,
                                           json: #"{"user_id": "42", "username": "s\u0000am", "description": "help"}"#),
                          field: "username", "ticket username")
            #expect(try await count(h.database, "SELECT COUNT(*) AS n FROM support_tickets") == 0)

            // Ticket message content.
            let opened = try await h.call(.post, "\(api)/tickets", token: bot, json: #"{"user_id": "42", "description": "premium is missing"}"#)
            #expect(opened.status == 201, "\(opened.text)")
            let ticket = try #require(opened.json["id"] as? Int)
            let messagesBefore = try await count(h.database, "SELECT COUNT(*) AS n FROM ticket_messages")
            expectRefused(try await h.call(.post, "\(api)/tickets/\(ticket)/messages", token: bot, json: #"{"author_id": "42", "content": "a\u0000b"}"#),
                          field: "content", "ticket message content")
            #expect(try await count(h.database, "SELECT COUNT(*) AS n FROM ticket_messages") == messagesBefore)

            // Appeal reason, on a real blocked message so only the text is at fault.
            let scam = messageJSON("FREE NITRO for everyone https://discord-nitro.gift/claim")
            let judged = try await h.call(.post, "/v1/messages", token: bot, json: scam.json)
            let log = try #require(judged.json["log_id"] as? Int, "\(judged.text)")
            expectRefused(try await h.call(.post, "\(api)/appeals", token: bot, json: #"{"log_id": \#(log), "user_id": "42", "reason": "a\u0000b"}"#),
                          field: "reason", "appeal reason")
            #expect(try await count(h.database, "SELECT COUNT(*) AS n FROM automod_appeals") == 0)

            // Token label.
            let tokensBefore = try await count(h.database, "SELECT COUNT(*) AS n FROM api_tokens")
            expectRefused(try await h.call(.post, "/v1/tokens", token: admin, json: #"{"role": "bot", "label": "a\u0000b"}"#),
                          field: "label", "token label")
            #expect(try await count(h.database, "SELECT COUNT(*) AS n FROM api_tokens") == tokensBefore)
        }
    }

    @Test(arguments: allDialects)
    func otherControlsAreRefusedAndTabLineFeedCarriageReturnKeptExactly(_ dialect: SQLDialect) async throws {
        try await withServer(dialect) { h in
            let api = "/v1/guilds/\(guildA)"
            let bell = try await h.call(.post, "\(api)/tickets", token: h.tokens[.bot], json: #"{"user_id": "42", "description": "ring\u0007"}"#)
            #expect(bell.status == 400 && bell.errorCode == "invalid_text" && bell.text.contains("U+0007"), "\(bell.text)")
            // A JSON key is text too (a setting value object).
            let key = try await h.call(.put, "\(api)/settings/llm/quota_limits", token: h.tokens[.admin], json: #"{"value": {"a\u001fb": 1}}"#)
            #expect(key.status == 400 && key.errorCode == "invalid_text" && key.text.contains("U+001F"), "\(key.text)")

            let exact = "line one\r\n\tline two"
            let opened = try await h.call(.post, "\(api)/tickets", token: h.tokens[.bot],
                                          json: #"{"user_id": "42", "description": \#(jsonText(exact))}"#)
            #expect(opened.status == 201, "\(opened.text)")
            let stored = try await h.database.transaction { conn in try conn.queryFirst("SELECT description FROM support_tickets", [])?.string("description") }
            #expect(stored == exact)
        }
    }

    @Test(arguments: allDialects)
    func aMessageWithAControlCharacterIsRefusedNamingTheFieldAndOthersInItsBatchAreJudged(_ dialect: SQLDialect) async throws {
        try await withServer(dialect) { h in
            let bot = h.tokens[.bot]
            let nul = messageJSON("FREE NI\u{0}TRO https://discord-nitro.gift/claim")
            let single = try await h.call(.post, "/v1/messages", token: bot, json: nul.json)
            #expect(single.status == 400 && single.errorCode == "invalid_text", "\(single.text)")
            #expect(single.text.contains("content") && single.text.contains("offset 7"), "\(single.text)")
            #expect(try await count(h.database, "SELECT COUNT(*) AS n FROM message_decisions WHERE message_id = $1", [.int(Int64(bitPattern: nul.id))]) == 0)

            let good = messageJSON("see you at the raid")
            let batch = try await h.call(.post, "/v1/messages/batch", token: bot, json: "[\(good.json), \(messageJSON("a\u{1}b").json)]")
            #expect(batch.status == 200, "\(batch.text)")
            let results = try #require(batch.json["results"] as? [[String: Any]])
            #expect(results.count == 2 && results[0]["verdict"] as? String == "allow")
            let failure = results.count == 2 ? results[1]["error"] as? [String: Any] : nil
            #expect(failure?["code"] as? String == "invalid_text" && results[1]["index"] as? Int == 1, "\(batch.text)")
        }
    }
}

/// `text` as a JSON string literal.
private func jsonText(_ text: String) -> String {
    String(decoding: (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8), as: UTF8.self)
}
