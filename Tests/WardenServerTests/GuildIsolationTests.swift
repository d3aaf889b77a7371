import Foundation
import Hummingbird
import Testing
import WardenServer
import WardenStore

/// A token scoped to guild B, whatever its role, is refused on every route of guild A, and guild A's
/// state is unchanged afterwards. Unknown or missing tokens get 401, wrong roles 403.
@Suite("Guild isolation and roles")
struct GuildIsolationTests {
    @Test(arguments: allDialects)
    func everyRoleOfAnotherGuildIsRefusedOnEveryGuildRoute(_ dialect: SQLDialect) async throws {
        try await withServer(dialect) { h in
            // The API's routes; the console's pages (HTML, cookie sessions) have their own isolation test (ConsoleTests).
            let routes = h.service.router().routes.map { ($0.method, "\($0.path)") }.filter { !ConsolePaths.isPage($0.1) }
            let guildRoutes = routes.filter { $0.1.contains("guild") }
            #expect(guildRoutes.count >= 30)
            let message = messageJSON("FREE NITRO https://discord-nitro.gift/claim", guild: guildA)
            // Something of guild A to aim at: a log, an appeal.
            let posted = try await h.call(.post, "/v1/messages", token: h.tokens[.bot], json: message.json)
            let log = try #require(posted.json["log_id"] as? Int)
            let appeal = try await h.call(.post, "/v1/guilds/\(guildA)/appeals", token: h.tokens[.bot],
                                          json: #"{"log_id": \#(log), "user_id": "42", "reason": "please"}"#)
            #expect(appeal.status == 201)
            let before = try await snapshot(h.database)
            for role in Role.allCases {
                let token = h.scoped[guildB]![role]!
                for (method, pattern) in guildRoutes {
                    let path = pattern.replacingOccurrences(of: "{guild}", with: String(guildA)).replacingOccurrences(of: ":guild", with: String(guildA))
                        .split(separator: "/").map { $0.hasPrefix("{") || $0.hasPrefix(":") ? "1" : String($0) }.joined(separator: "/")
                    let reply = try await h.call(method, "/" + path, token: token, json: method == .get || method == .delete ? nil : "{}")
                    #expect(reply.status == 403, "\(role) of guild B on \(method) \(pattern): \(reply.status) \(reply.text)")
                }
                // The bot route that is not under /guilds: the message's guild decides.
                let other = try await h.call(.post, "/v1/messages", token: h.scoped[guildB]![.bot]!, json: messageJSON("hi", guild: guildA).json)
                #expect(other.status == 403 && other.errorCode == "forbidden_guild")
            }
            #expect(try await snapshot(h.database) == before, "nothing of guild A changed")
            // A guild's admin sees only its guild's tokens and cannot mint unscoped ones.
            let listed = try await h.call(.get, "/v1/tokens", token: h.scoped[guildB]![.admin]!)
            let guilds = Set((listed.json["tokens"] as? [[String: Any]] ?? []).compactMap { $0["guild_id"] as? String })
            #expect(guilds == [String(guildB)])
            let unscoped = try await h.call(.post, "/v1/tokens", token: h.scoped[guildB]![.admin]!, json: #"{"role": "admin"}"#)
            #expect(unscoped.status == 403)
        }
    }

    /// Guild B's own paths with ids of guild A's objects find nothing, and change nothing of A.
    @Test(arguments: allDialects)
    func anotherGuildsObjectIdsFindNothing(_ dialect: SQLDialect) async throws {
        try await withServer(dialect) { h in
            let a = "/v1/guilds/\(guildA)", b = "/v1/guilds/\(guildB)"
            let botA = h.scoped[guildA]![.bot]!, adminA = h.scoped[guildA]![.admin]!
            // Guild A's objects: a log and its appeal, a ticket, a verification, a proposal, a setting change, a token.
            let posted = try await h.call(.post, "/v1/messages", token: botA, json: messageJSON("FREE NITRO https://discord-nitro.gift/claim").json)
            let log = try #require(posted.json["log_id"] as? Int)
            let appeal = try #require(try await h.call(.post, "\(a)/appeals", token: botA, json: #"{"log_id": \#(log), "user_id": "42", "reason": "x"}"#).json["id"] as? Int)
            let ticket = try #require(try await h.call(.post, "\(a)/tickets", token: botA, json: #"{"user_id": "42", "description": "help"}"#).json["id"] as? Int)
            let image = try Array(Data(contentsOf: URL(fileURLWithPath: fixturesPath + "/screenshots/valid.png")))
            let verification = try #require(try await h.call(.post, "\(a)/verifications?user_id=42", token: botA, body: image, contentType: "image/png").json["id"] as? Int)
            let proposal = try #require(try await h.database.transaction { conn in
                try FAQRepository.insertProposal(on: conn, FAQRepository.NewProposal(
                    guildID: Int64(bitPattern: guildA), clusterKey: "k", title: "t", answer: "a", keywords: [], sourceTicketIDs: [],
                    sourceCount: 3, promptHash: nil, expiresAt: Date().addingTimeInterval(3600)), at: Date())
            })
            _ = try await h.call(.put, "\(a)/settings/automod/llm_deadline_ms", token: adminA, json: #"{"value": 900}"#)
            _ = try await h.call(.put, "\(a)/settings/automod/llm_deadline_ms", token: adminA, json: #"{"value": 1000}"#)
            let change = try #require((try await h.call(.get, "\(a)/settings/automod/llm_deadline_ms/history", token: adminA).json["changes"] as? [[String: Any]])?.first?["id"] as? Int)
            let tokenA = try #require((try await h.call(.post, "/v1/tokens", token: adminA, json: #"{"role": "bot", "guild_id": "\#(guildA)"}"#).json["record"] as? [String: Any])?["id"] as? Int)
            // Guild B gets its pack before the snapshot, so its own batch below adds only its decision.
            _ = try await h.call(.post, "/v1/messages", token: h.scoped[guildB]![.bot]!, json: messageJSON("warm up", guild: guildB).json)
            let before = try await snapshot(h.database)

            let tries: [(HTTPRequest.Method, String, Role, String?)] = [
                (.get, "\(b)/appeals/\(appeal)", .moderator, nil),
                (.post, "\(b)/appeals/\(appeal)/approve", .moderator, #"{"moderator_id": "1"}"#),
                (.post, "\(b)/appeals/\(appeal)/deny", .moderator, #"{"moderator_id": "1", "note": "n"}"#),
                (.post, "\(b)/appeals", .bot, #"{"log_id": \#(log), "user_id": "42", "reason": "x"}"#),
                (.get, "\(b)/tickets/\(ticket)", .bot, nil),
                (.post, "\(b)/tickets/\(ticket)/messages", .bot, #"{"author_id": "42", "content": "hi"}"#),
                (.post, "\(b)/tickets/\(ticket)/transitions", .staff, #"{"event": "close"}"#),
                (.post, "\(b)/tickets/\(ticket)/suggestions", .bot, nil),
                (.post, "\(b)/tickets/\(ticket)/suggestions/1/solved", .bot, #"{"user_id": "42"}"#),
                (.get, "\(b)/tickets/\(ticket)/transcript?format=html", .staff, nil),
                (.get, "\(b)/verifications/\(verification)", .moderator, nil),
                (.post, "\(b)/verifications/\(verification)/resolve", .moderator, #"{"verified": true, "moderator_id": "1"}"#),
                (.get, "\(b)/faq/proposals/\(proposal)", .staff, nil),
                (.patch, "\(b)/faq/proposals/\(proposal)", .staff, #"{"staff_id": "1", "title": "mine"}"#),
                (.post, "\(b)/faq/proposals/\(proposal)/approve", .staff, #"{"staff_id": "1"}"#),
                (.post, "\(b)/faq/proposals/\(proposal)/reject", .staff, #"{"staff_id": "1", "reason": "r"}"#),
                (.post, "\(b)/settings/automod/llm_deadline_ms/rollback", .admin, #"{"change_id": \#(change)}"#),
                (.delete, "/v1/tokens/\(tokenA)", .admin, nil),
            ]
            for (method, path, role, body) in tries {
                let reply = try await h.call(method, path, token: h.scoped[guildB]![role]!, json: body)
                #expect(reply.status == 404, "\(role) of guild B on \(method) \(path): \(reply.status) \(reply.text)")
            }
            // A backtest in guild B replays guild B's logs only: a rule matching guild A's logged scam finds
            // nothing there (guild B has no log), and guild A's admin cannot backtest in guild B at all.
            let nitro = #"{"name": "nitro-words", "type": "content", "keywords": ["nitro"], "action": {"type": "warn", "severity": 1}}"#
            let backtest = try await h.call(.post, "\(b)/rules/backtest", token: h.scoped[guildB]![.admin]!, json: #"{"rule": \#(nitro)}"#)
            #expect(backtest.status == 200, "\(backtest.text)")
            #expect((backtest.json["replayed"] as? [String: Any])?["logs"] as? Int == 0)
            #expect((backtest.json["newly_flagged"] as? [String: Any])?["count"] as? Int == 0)
            let fromA = try await h.call(.post, "\(b)/rules/backtest", token: adminA, json: #"{"rule": \#(nitro)}"#)
            #expect(fromA.status == 403, "\(fromA.text)")
            // A batch from guild B's bot holding a message of guild A: that element is refused, the rest judged.
            let batch = try await h.call(.post, "/v1/messages/batch", token: h.scoped[guildB]![.bot]!,
                                         json: "[\(messageJSON("hi", guild: guildB).json), \(messageJSON("hi", guild: guildA).json)]")
            let results = try #require(batch.json["results"] as? [[String: Any]])
            #expect(results.first?["verdict"] as? String == "allow")
            #expect((results.last?["error"] as? [String: Any])?["code"] as? String == "forbidden_guild")
            let after = try await snapshot(h.database)
            // Only the guild B message of the batch was added (one remembered decision).
            #expect(after[13] == before[13] + 1)
            var unchanged = after
            unchanged[13] = before[13]
            #expect(unchanged == before, "nothing of guild A changed")
            // The operator's LLM quota settings need an unscoped admin.
            let quota = try await h.call(.put, "\(a)/settings/llm/quota_limits", token: adminA, json: #"{"value": {}}"#)
            #expect(quota.status == 403 && quota.errorCode == "forbidden_scope")
        }
    }

    @Test func tokensAndRolesAreChecked() async throws {
        try await withServer(.sqlite) { h in
            let message = messageJSON("hello")
            #expect(try await h.call(.post, "/v1/messages", token: nil, json: message.json).status == 401)
            let unknown = try await h.call(.post, "/v1/messages", token: "wdn_not-a-token", json: message.json)
            #expect(unknown.status == 401 && unknown.errorCode == "unauthorized")
            let moderator = try await h.call(.post, "/v1/messages", token: h.tokens[.moderator], json: message.json)
            #expect(moderator.status == 403 && moderator.errorCode == "forbidden_role")
            let staffOnAppeals = try await h.call(.get, "/v1/guilds/\(guildA)/appeals", token: h.tokens[.staff])
            #expect(staffOnAppeals.status == 403)
            #expect(try await h.call(.get, "/v1/guilds/\(guildA)/appeals", token: h.tokens[.admin]).status == 200)
            #expect(try await h.call(.get, "/health", token: nil).status == 200)
        }
    }

    @Test func badInputGetsAClearErrorNamingWhatWasWrong() async throws {
        try await withServer(.sqlite) { h in
            let bot = h.tokens[.bot]
            let broken = try await h.call(.post, "/v1/messages", token: bot, json: #"{"id": "1", "content": "#)
            #expect(broken.status == 400 && broken.errorCode == "malformed_json")
            let missing = try await h.call(.post, "/v1/messages", token: bot, json: #"{"id": "1", "content": "x"}"#)
            #expect(missing.status == 400 && missing.errorCode == "invalid_field")
            #expect((missing.json["error"] as? [String: Any])?["message"] as? String != nil)
            let huge = messageJSON(String(repeating: "a", count: 70_000)).json
            #expect(try await h.call(.post, "/v1/messages", token: bot, json: huge).status == 413)
            let badBody = try await h.call(.post, "/v1/guilds/\(guildA)/tickets", token: bot, json: #"{"user_id": true, "description": "x"}"#)
            #expect(badBody.status == 400 && badBody.errorCode == "invalid_body")
            #expect(badBody.text.contains("user_id"))
            let badID = try await h.call(.get, "/v1/guilds/abc/appeals", token: h.tokens[.moderator])
            #expect(badID.status == 400 && badID.errorCode == "invalid_parameter")
            let nothing = try await h.call(.get, "/v1/guilds/\(guildA)/appeals/999", token: h.tokens[.moderator])
            #expect(nothing.status == 404 && nothing.errorCode == "appeal_not_found")
            let batch = try await h.call(.post, "/v1/messages/batch", token: bot, json: #"{"not": "an array"}"#)
            #expect(batch.status == 400)
        }
    }

    /// Counts of everything a guild's routes could change.
    func snapshot(_ db: any Database) async throws -> [Int64] {
        var counts: [Int64] = []
        for table in ["automod_logs", "automod_appeals", "automod_rules", "bot_settings", "settings_history", "support_tickets",
                      "ticket_messages", "verification_tickets", "faq_entries", "faq_proposals", "events", "admin_log", "api_tokens",
                      "message_decisions", "faq_search_logs", "faq_suggestions"] {
            counts.append(try await count(db, "SELECT COUNT(*) AS n FROM \(table)"))
        }
        let pending = try await count(db, "SELECT COUNT(*) AS n FROM automod_appeals WHERE status = 'pending'")
        return counts + [pending]
    }
}

@Suite("OpenAPI document")
struct OpenAPITests {
    @Test func documentsExactlyTheRoutesServed() async throws {
        try await withServer(.sqlite) { h in
            let reply = try await h.call(.get, "/openapi.json", token: nil)
            let paths = try #require(reply.json["paths"] as? [String: [String: Any]])
            var documented = Set<String>()
            for (path, operations) in paths {
                for (method, operation) in operations {
                    documented.insert("\(method.uppercased()) \(path)")
                    let op = try #require(operation as? [String: Any])
                    #expect(op["responses"] != nil && op["summary"] != nil, "\(method) \(path) lacks summary or responses")
                }
            }
            let served = Set(h.service.router().routes.filter { !ConsolePaths.isPage("\($0.path)") }.map { route in
                "\(route.method.rawValue) " + "\(route.path)".split(separator: "/").map { part in
                    part.hasPrefix(":") ? "{\(part.dropFirst())}" : String(part)
                }.reduce("") { $0 + "/" + $1 }
            })
            #expect(served.subtracting(documented).isEmpty, "served but not documented: \(served.subtracting(documented).sorted())")
            #expect(documented.subtracting(served).isEmpty, "documented but not served: \(documented.subtracting(served).sorted())")
        }
    }
}
