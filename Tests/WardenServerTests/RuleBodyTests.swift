import Foundation
import Hummingbird
import Testing
import WardenCore
import WardenServer
import WardenStore

/// Issue 11, F5: a rule body is JSON when the client says `application/json` (escapes and every character a
/// JSON string may hold kept exactly) and YAML only when it says `application/yaml`; every route that reads a
/// body refuses another Content-Type with 415. F7's limits over HTTP: 422 `rule_limit` naming the limit.
@Suite("Rule bodies: JSON as JSON, YAML when asked, 415 for other types")
struct RuleBodyTests {
    /// The stored keywords of the guild's rule `name`, as the API lists them.
    private func keywords(_ h: Harness, _ name: String) async throws -> [String]? {
        let list = try await h.call(.get, "/v1/guilds/\(guildA)/rules", token: h.tokens[.admin])
        let definitions = (list.json["rules"] as? [[String: Any]] ?? []).compactMap { $0["definition"] as? [String: Any] }
        return definitions.first { $0["name"] as? String == name }?["keywords"] as? [String]
    }

    @Test(arguments: allDialects)
    func jsonEscapesAndRawCharactersAreKeptExactly(_ dialect: SQLDialect) async throws {
        try await withServer(dialect) { h in
            let admin = h.tokens[.admin]
            // What Python's json.dumps writes for "🔥": a surrogate pair. YAML refused it (422).
            let pair = try await h.call(.put, "/v1/guilds/\(guildA)/rules/fire", token: admin,
                                        json: #"{"name": "fire", "type": "content", "keywords": ["\ud83d\udd25sale"]}"#)
            #expect(pair.status == 201, "\(pair.text)")
            #expect(try await keywords(h, "fire") == ["\u{1F525}sale"])

            // U+FFFF raw (YAML refused it) and U+0085 raw (YAML turned it into a space).
            let raw = #"{"name": "raw", "type": "content", "keywords": ["a\#u{FFFF}b", "c\#u{85}d"]}"#
            let reply = try await h.call(.put, "/v1/guilds/\(guildA)/rules/raw", token: admin, json: raw)
            #expect(reply.status == 201, "\(reply.text)")
            let stored = try #require(try await keywords(h, "raw"))
            #expect(stored.map { Array($0.unicodeScalars.map(\.value)) } == [[0x61, 0xFFFF, 0x62], [0x63, 0x85, 0x64]])

            // A lone surrogate is not a character: refused, naming the body as not JSON.
            let lone = try await h.call(.put, "/v1/guilds/\(guildA)/rules/lone", token: admin,
                                        json: #"{"name": "lone", "type": "content", "keywords": ["\ud83d"]}"#)
            #expect(lone.status == 422 && lone.errorCode == "invalid_rule", "\(lone.text)")
        }
    }

    @Test func yamlIsReadOnlyWhenTheClientSaysSo() async throws {
        try await withServer(.sqlite) { h in
            let admin = h.tokens[.admin]
            let yaml = "name: plain\ntype: content\nkeywords: [pineapple]\n"
            let asYAML = try await h.call(.put, "/v1/guilds/\(guildA)/rules/plain", token: admin, body: Array(yaml.utf8),
                                          contentType: "application/yaml; charset=utf-8")
            #expect(asYAML.status == 201, "\(asYAML.text)")
            #expect(try await keywords(h, "plain") == ["pineapple"])

            // YAML's flow style looks like JSON; said to be JSON it is read as JSON, and is not JSON.
            let flow = "{name: plain, type: content, keywords: [pineapple]}"
            let asJSON = try await h.call(.put, "/v1/guilds/\(guildA)/rules/plain", token: admin, body: Array(flow.utf8),
                                          contentType: "application/json")
            #expect(asJSON.status == 422 && asJSON.errorCode == "invalid_rule" && asJSON.text.contains("not valid JSON"), "\(asJSON.text)")
            #expect(asJSON.text.contains("byte 1") || asJSON.text.contains("offset 1"), "a syntax error says where: \(asJSON.text)")
            let block = try await h.call(.put, "/v1/guilds/\(guildA)/rules/plain", token: admin, body: Array(yaml.utf8), contentType: "application/json")
            #expect(block.status == 422 && block.text.contains("one rule, as a JSON object"), "\(block.text)")
            // A JSON array is not one rule.
            let array = try await h.call(.put, "/v1/guilds/\(guildA)/rules/plain", token: admin, json: "[]")
            #expect(array.status == 422 && array.text.contains("one rule, as a JSON object"), "\(array.text)")
        }
    }

    @Test func everyBodyRouteRefusesAnotherContentType() async throws {
        try await withServer(.sqlite) { h in
            let api = "/v1/guilds/\(guildA)"
            let message = Array(messageJSON("hello").json.utf8)
            struct Case { let what: String; let method: HTTPRequest.Method; let path: String; let token: String?; let type: String?; let expected: String }
            let admin = h.tokens[.admin], bot = h.tokens[.bot]
            let cases: [Case] = [
                Case(what: "rule as text/plain", method: .put, path: "\(api)/rules/x", token: admin, type: "text/plain", expected: "application/json or application/yaml"),
                Case(what: "message without a type", method: .post, path: "/v1/messages", token: bot, type: nil, expected: "application/json"),
                Case(what: "message as a form", method: .post, path: "/v1/messages", token: bot, type: "application/x-www-form-urlencoded", expected: "application/json"),
                Case(what: "batch as YAML", method: .post, path: "/v1/messages/batch", token: bot, type: "application/yaml", expected: "application/json"),
                Case(what: "setting as YAML", method: .put, path: "\(api)/settings/automod/mod_channel_id", token: admin, type: "text/yaml", expected: "application/json"),
                Case(what: "ticket as text", method: .post, path: "\(api)/tickets", token: bot, type: "text/plain", expected: "application/json"),
                Case(what: "dry run as YAML", method: .post, path: "\(api)/rules/dry-run", token: admin, type: "application/yaml", expected: "application/json"),
                Case(what: "screenshot as JSON", method: .post, path: "\(api)/verifications?user_id=42", token: bot, type: "application/json", expected: "image/png, image/jpeg or image/webp"),
            ]
            for c in cases {
                let (what, type, expected) = (c.what, c.type, c.expected)
                let reply = try await h.call(c.method, c.path, token: c.token, body: message, contentType: type)
                let text = ((reply.json["error"] as? [String: Any])?["message"] as? String) ?? ""
                #expect(reply.status == 415 && reply.errorCode == "unsupported_media_type", "\(what): \(reply.status) \(reply.text)")
                #expect(text.hasSuffix("send \(expected)") && text.contains(type ?? "no Content-Type"), "\(what): \(text)")
            }
            // Nothing was judged or stored.
            #expect(try await count(h.database, "SELECT COUNT(*) AS n FROM automod_logs") == 0)
            #expect(try await count(h.database, "SELECT COUNT(*) AS n FROM support_tickets") == 0)
            // The media type is matched without its parameters and in any case.
            let upper = try await h.call(.post, "/v1/messages", token: h.tokens[.bot], body: message, contentType: "Application/JSON; charset=UTF-8")
            #expect(upper.status == 200, "\(upper.text)")
        }
    }

    @Test(arguments: allDialects)
    func aRulePastTheGuildsKeywordLimitIs422NamingIt(_ dialect: SQLDialect) async throws {
        try await withServer(dialect) { h in
            let limit = RuleLimits.standard.keywords
            let words = (0...limit).map { "\"k\($0)q\"" }.joined(separator: ",")
            let body = #"{"name": "huge", "type": "content", "keywords": [\#(words)]}"#
            let reply = try await h.call(.put, "/v1/guilds/\(guildA)/rules/huge", token: h.tokens[.admin], json: body)
            #expect(reply.status == 422 && reply.errorCode == "rule_limit", "\(reply.status) \(reply.text.prefix(300))")
            #expect(reply.text.contains("at most \(limit) per guild (keywords limit)"), "\(reply.text.prefix(300))")
            #expect(try await keywords(h, "huge") == nil)
        }
    }
}
