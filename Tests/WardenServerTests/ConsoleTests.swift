import Foundation
import HTTPTypes
import Synchronization
import Testing
import WardenServer
import WardenStore

/// The console over real HTTP on both stores: sessions (sign-in, sign-out, idle expiry, revocation), the
/// headers every page carries, CSRF, guild isolation through the same authorization as the API, and a
/// moderator's decision attributed to the token's Discord user. Browser behaviour (script, keyboard, layout) is
/// tested in Chromium by scripts/console-test.sh.
@Suite("Console")
struct ConsoleTests {
    /// A signed-in browser: its session cookie and the CSRF token its forms carry.
    struct Browser: Sendable {
        let harness: Harness
        let cookie: String
        let csrf: String

        func get(_ path: String) async throws -> Reply {
            try await harness.call(.get, path, token: nil, headers: [.cookie: "\(ConsoleTests.sessionCookie)=\(cookie)"])
        }

        /// Posts a form; `csrf: nil` leaves the token out.
        func post(_ path: String, _ fields: [(String, String)], csrf: String? = "") async throws -> Reply {
            let token = csrf == "" ? self.csrf : csrf
            let all = (token.map { [("csrf", $0)] } ?? []) + fields
            return try await harness.call(.post, path, token: nil, body: Array(ConsoleTests.form(all).utf8),
                                          contentType: "application/x-www-form-urlencoded",
                                          headers: [.cookie: "\(ConsoleTests.sessionCookie)=\(cookie)"])
        }
    }

    static let sessionCookie = "warden_console"

    static func form(_ fields: [(String, String)]) -> String {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        return fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
    }

    /// A cookie's value from a response's `Set-Cookie` fields.
    static func cookie(_ name: String, in reply: Reply) -> String? {
        for field in reply.headers where field.name == .setCookie {
            let first = field.value.split(separator: ";").first.map(String.init) ?? ""
            if first.hasPrefix(name + "=") { return String(first.dropFirst(name.count + 1)) }
        }
        return nil
    }

    static func csrf(in html: String) -> String? {
        guard let range = html.range(of: #"name="csrf" value="([^"]+)""#, options: .regularExpression) else { return nil }
        return String(html[range].dropFirst(#"name="csrf" value=""#.count).dropLast())
    }

    /// Signs in with `token` as a browser would: the form, its one-time cookie, the post.
    static func signIn(_ h: Harness, token: String) async throws -> (reply: Reply, browser: Browser?) {
        let form = try await h.call(.get, "/console/signin", token: nil)
        let once = try #require(cookie("warden_signin", in: form))
        let csrf = try #require(Self.csrf(in: form.text))
        let reply = try await h.call(.post, "/console/signin", token: nil, body: Array(Self.form([("csrf", csrf), ("token", token)]).utf8),
                                     contentType: "application/x-www-form-urlencoded", headers: [.cookie: "warden_signin=\(once)"])
        guard let session = cookie(sessionCookie, in: reply) else { return (reply, nil) }
        // The front door redirects to the token's first page; that page's sign-out form carries the session's CSRF token.
        var path = "/console/"
        for _ in 0..<3 {
            let page = try await h.call(.get, path, token: nil, headers: [.cookie: "\(sessionCookie)=\(session)"])
            if page.status == 303, let next = page.headers[.location] { path = next; continue }
            return (reply, Browser(harness: h, cookie: session, csrf: Self.csrf(in: page.text) ?? ""))
        }
        return (reply, Browser(harness: h, cookie: session, csrf: ""))
    }

    /// A signed-in browser for `token`, or the test fails.
    static func browser(_ h: Harness, _ token: String?) async throws -> Browser {
        let token = try #require(token)
        let browser = try await signIn(h, token: token).browser
        return try #require(browser)
    }

    @Test(arguments: allDialects)
    func signingInOpensASessionThatSigningOutEnds(_ dialect: SQLDialect) async throws {
        try await withServer(dialect) { h in
            let form = try await h.call(.get, "/console/signin", token: nil)
            #expect(form.status == 200)
            #expect(form.headers[.contentSecurityPolicy]?.contains("default-src 'self'") == true)
            #expect(form.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
            #expect(form.headers[.contentSecurityPolicy]?.contains("object-src 'none'") == true)
            #expect(form.headers[.xContentTypeOptions] == "nosniff")
            #expect(form.headers[.cacheControl] == "no-store")
            #expect(form.text.contains(#"name="token""#))
            #expect(!form.text.contains("<script>"), "no inline script")

            let (reply, browser) = try await Self.signIn(h, token: try #require(h.scoped[guildA]?[.moderator]))
            #expect(reply.status == 303)
            let setCookie = reply.headers[values: .setCookie].first { $0.hasPrefix(Self.sessionCookie) } ?? ""
            #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict") && setCookie.contains("Path=/console"))
            let signedIn = try #require(browser)
            let queue = try await signedIn.get("/console/guilds/\(guildA)/appeals")
            #expect(queue.status == 200)
            #expect(queue.text.contains("No pending appeals."))
            // The store keeps only a hash of the session id.
            let stored = try await h.database.transaction { conn in try conn.query("SELECT id_hash FROM console_sessions", []).map { try $0.string("id_hash") } }
            #expect(!stored.isEmpty && !stored.contains(signedIn.cookie))

            let out = try await signedIn.post("/console/signout", [])
            #expect(out.status == 303)
            let after = try await signedIn.get("/console/guilds/\(guildA)/appeals")
            #expect(after.status == 303 && after.headers[.location] == "/console/signin", "a signed-out session cannot be reused")
        }
    }

    @Test(arguments: allDialects)
    func botTokensUnknownTokensAndForgedFormsAreRefused(_ dialect: SQLDialect) async throws {
        try await withServer(dialect) { h in
            let bot = try await Self.signIn(h, token: try #require(h.tokens[.bot]))
            #expect(bot.reply.status == 401 && bot.browser == nil)
            let unknown = try await Self.signIn(h, token: "wdn_not-a-token")
            #expect(unknown.reply.status == 401 && unknown.browser == nil)
            // The sign-in form without its one-time cookie.
            let forged = try await h.call(.post, "/console/signin", token: nil, body: Array(Self.form([("csrf", "x"), ("token", h.tokens[.admin] ?? "")]).utf8),
                                          contentType: "application/x-www-form-urlencoded")
            #expect(forged.status == 403 && Self.cookie(Self.sessionCookie, in: forged) == nil)

            let admin = try await Self.browser(h, h.tokens[.admin])
            let before = try await h.database.transaction { conn in try AutomodRepository.rules(on: conn, guild: Int64(guildA)) }
            let noToken = try await admin.post("/console/guilds/\(guildA)/rules/slurs/disable", [], csrf: nil)
            #expect(noToken.status == 403, "a state-changing post without the CSRF token")
            let wrongToken = try await admin.post("/console/guilds/\(guildA)/rules/slurs/disable", [], csrf: "wrong")
            #expect(wrongToken.status == 403)
            let after = try await h.database.transaction { conn in try AutomodRepository.rules(on: conn, guild: Int64(guildA)) }
            #expect(before == after, "nothing changed")
            let done = try await admin.post("/console/guilds/\(guildA)/rules/slurs/disable", [])
            #expect(done.status == 303)
        }
    }

    @Test(arguments: allDialects)
    func aModeratorOfAnotherGuildIsRefusedItsPagesAndItsObjects(_ dialect: SQLDialect) async throws {
        try await withServer(dialect) { h in
            let message = messageJSON("FREE NITRO https://discord-nitro.gift/claim", guild: guildA)
            let log = try #require(try await h.call(.post, "/v1/messages", token: h.tokens[.bot], json: message.json).json["log_id"] as? Int)
            let appeal = try await h.call(.post, "/v1/guilds/\(guildA)/appeals", token: h.tokens[.bot],
                                          json: #"{"log_id": \#(log), "user_id": "42", "reason": "please"}"#)
            let appealID = try #require(appeal.json["id"] as? Int)
            let other = try await Self.browser(h, h.scoped[guildB]?[.moderator])
            for page in ["appeals", "appeals/\(appealID)", "logs", "verifications", ""] {
                let reply = try await other.get("/console/guilds/\(guildA)/\(page)")
                #expect(reply.status == 403, "guild B's moderator on guild A's \(page): \(reply.status)")
                #expect(reply.headers[.contentType]?.hasPrefix("text/html") == true)
            }
            // Guild A's appeal through guild B's own pages: not found, as through the API.
            #expect(try await other.get("/console/guilds/\(guildB)/appeals/\(appealID)").status == 404)
            let decided = try await other.post("/console/guilds/\(guildB)/appeals/\(appealID)/approve", [])
            #expect(decided.status == 404)
            let refused = try await other.post("/console/guilds/\(guildA)/appeals/\(appealID)/approve", [])
            #expect(refused.status == 403)
            // A moderator opens no admin or staff page of its own guild.
            #expect(try await other.get("/console/guilds/\(guildB)/rules").status == 403)
            #expect(try await other.get("/console/guilds/\(guildB)/proposals").status == 403)
            #expect(try await other.get("/console/tokens").status == 403)
            let pending = try await h.call(.get, "/v1/guilds/\(guildA)/appeals/\(appealID)", token: h.tokens[.moderator])
            #expect((pending.json["appeal"] as? [String: Any])?["status"] as? String == "pending")
        }
    }

    @Test(arguments: allDialects)
    func aDecisionIsAttributedToTheTokensHolderAndReachesTheBot(_ dialect: SQLDialect) async throws {
        try await withServer(dialect) { h in
            let created = try await h.service.tokens.create(role: .moderator, guild: Int64(guildA), label: "mod", user: 900)
            let moderator = try await Self.browser(h, created.token)
            let message = messageJSON("FREE NITRO <script>window.x=1</script> https://discord-nitro.gift/claim", guild: guildA)
            let log = try #require(try await h.call(.post, "/v1/messages", token: h.tokens[.bot], json: message.json).json["log_id"] as? Int)
            let filed = try await h.call(.post, "/v1/guilds/\(guildA)/appeals", token: h.tokens[.bot],
                                         json: #"{"log_id": \#(log), "user_id": "42", "reason": "I was <b>warning</b> people"}"#)
            let id = try #require(filed.json["id"] as? Int)

            let queue = try await moderator.get("/console/guilds/\(guildA)/appeals")
            #expect(queue.text.contains(#"data-appeal-id="\#(id)""#))
            let detail = try await moderator.get("/console/guilds/\(guildA)/appeals/\(id)")
            #expect(detail.status == 200)
            #expect(detail.text.contains("&lt;script&gt;window.x=1&lt;/script&gt;") && !detail.text.contains("<script>window"), "message text escaped")
            #expect(detail.text.contains("I was &lt;b&gt;warning&lt;/b&gt; people"))
            #expect(detail.text.contains("<mark>"), "the evidence span is highlighted")
            #expect(detail.text.contains(#"data-action="approve""#) && detail.text.contains(#"data-action="deny""#))

            let denied = try await moderator.post("/console/guilds/\(guildA)/appeals/\(id)/deny", [("note", "  ")])
            #expect(denied.status == 400 && denied.text.contains("A denial needs a note"))
            let approved = try await moderator.post("/console/guilds/\(guildA)/appeals/\(id)/approve", [("note", "quoted to warn others")])
            #expect(approved.status == 303)
            let view = try await h.call(.get, "/v1/guilds/\(guildA)/appeals/\(id)", token: h.tokens[.moderator])
            let appeal = try #require(view.json["appeal"] as? [String: Any])
            #expect(appeal["status"] as? String == "approved")
            #expect(appeal["decided_by"] as? String == "900")
            let actor = try await h.database.transaction { conn in
                try conn.queryFirst("SELECT actor_id FROM admin_log WHERE action = 'appeal.approve' ORDER BY id DESC", [])?.optionalInt("actor_id")
            }
            #expect(actor == 900)
            let events = try await h.call(.get, "/v1/guilds/\(guildA)/events?after=0", token: h.tokens[.bot])
            let kinds = (events.json["events"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
            #expect(kinds.contains("appeal_reversal"))
        }
    }

    @Test(arguments: allDialects)
    func nextAndPreviousStayWithinTheQueuesFilters(_ dialect: SQLDialect) async throws {
        try await withServer(dialect) { h in
            let moderator = try await Self.browser(h, h.scoped[guildA]?[.moderator])
            // Three appeals, oldest first: a scam link (fake-discord-domain), an invite link (invite-link), another scam link.
            var ids: [Int] = []
            for (index, text) in ["FREE NITRO https://discord-nitro.gift/claim", "join my server https://discord.gg/abc123",
                                  "FREE NITRO https://discord-nitro.gift/other"].enumerated() {
                let message = messageJSON(text, guild: guildA, user: 600 + UInt64(index))
                let log = try #require(try await h.call(.post, "/v1/messages", token: h.tokens[.bot], json: message.json).json["log_id"] as? Int)
                let filed = try await h.call(.post, "/v1/guilds/\(guildA)/appeals", token: h.tokens[.bot],
                                             json: #"{"log_id": \#(log), "user_id": "\#(600 + index)", "reason": "please"}"#)
                ids.append(try #require(filed.json["id"] as? Int))
            }
            let rules = try await h.database.transaction { conn in
                try conn.query("SELECT a.id, r.name FROM automod_appeals a JOIN automod_logs l ON l.id = a.log_id LEFT JOIN automod_rules r ON r.id = l.rule_id ORDER BY a.id", [])
                    .map { try $0.optionalString("name") ?? "" }
            }
            #expect(rules[0] == rules[2] && rules[0] != rules[1], "the first and last appeals are of one rule, the middle one of another: \(rules)")
            let g = "/console/guilds/\(guildA)/appeals"
            let filter = "?rule=" + rules[0]
            let newest = try await moderator.get("\(g)/\(ids[2])\(filter)")
            #expect(newest.text.contains("href=\"\(g)/\(ids[0])\(filter)\""), "next skips the other rule's appeal")
            #expect(!newest.text.contains("\(g)/\(ids[1])"))
            let unfiltered = try await moderator.get("\(g)/\(ids[2])")
            #expect(unfiltered.text.contains("href=\"\(g)/\(ids[1])\""), "without a filter, next is the one just older")
            // A decision leads on within the filter, and with it.
            let approved = try await moderator.post("\(g)/\(ids[2])/approve\(filter)", [])
            #expect(approved.status == 303 && approved.headers[.location] == "\(g)/\(ids[0])\(filter)&decided=\(ids[2])")
            let next = try await moderator.get("\(g)/\(ids[0])\(filter)&decided=\(ids[2])")
            #expect(next.text.contains("Appeal \(ids[2]) approved."), "the decision is acknowledged on the next appeal")
            #expect(!(try await moderator.get("\(g)?decided=\(ids[1])")).text.contains("Appeal \(ids[1])"), "no notice for an undecided appeal")
        }
    }

    @Test(arguments: allDialects)
    func sessionsEndWhenIdleOrWhenTheirTokenIsRevoked(_ dialect: SQLDialect) async throws {
        let now = Mutex(Date())
        try await withServer(dialect, clock: { now.withLock { $0 } }) { h in
            let admin = try await Self.browser(h, h.tokens[.admin])
            let created = try await h.service.tokens.create(role: .staff, guild: Int64(guildA), label: "staff")
            let staff = try await Self.browser(h, created.token)
            #expect(try await staff.get("/console/guilds/\(guildA)/proposals").status == 200)
            let revoked = try await admin.post("/console/tokens/\(created.record.id)/revoke", [])
            #expect(revoked.status == 303)
            #expect(try await staff.get("/console/guilds/\(guildA)/proposals").status == 303, "revoking the token ends its sessions")
            let audited = try await h.database.transaction { conn in
                try conn.query("SELECT action, target_id FROM admin_log WHERE target_type = 'api_token'", []).map { try $0.string("action") + " " + ($0.optionalString("target_id") ?? "") }
            }
            #expect(audited == ["token.revoke \(created.record.id)"], "the revocation is audited")

            #expect(try await admin.get("/console/tokens").status == 200)
            now.withLock { $0 = $0.addingTimeInterval(11 * 3600) }
            #expect(try await admin.get("/console/tokens").status == 200, "11 hours idle: still signed in")
            now.withLock { $0 = $0.addingTimeInterval(12 * 3600 + 60) }
            #expect(try await admin.get("/console/tokens").status == 303, "past 12 hours idle: signed out")
        }
    }

    @Test(arguments: allDialects)
    func everyPageRendersForAnAdmin(_ dialect: SQLDialect) async throws {
        try await withServer(dialect) { h in
            let admin = try await Self.browser(h, h.tokens[.admin])
            let message = messageJSON("FREE NITRO https://discord-nitro.gift/claim \u{202E}", guild: guildA)
            _ = try await h.call(.post, "/v1/messages", token: h.tokens[.bot], json: message.json)
            let g = "/console/guilds/\(guildA)"
            for page in ["/console/guilds", g, "\(g)/appeals", "\(g)/appeals?status=denied&action=ban&age=week", "\(g)/logs",
                         "\(g)/logs?verdict=block&from=2020-01-01&to=2099-01-01", "\(g)/verifications", "\(g)/proposals", "\(g)/faq?q=nitro",
                         "\(g)/rules", "\(g)/rules/slurs", "\(g)/tester", "\(g)/settings?scope=automod&key=appeal_window_days", "/console/tokens"] {
                let reply = try await admin.get(page)
                #expect(reply.status == 200, "\(page): \(reply.status) \(reply.text.prefix(300))")
                #expect(reply.headers[.cacheControl] == "no-store", "\(page)")
            }
            // The dashboard counts decisions per day from automod_daily, which the writer keeps beside the logs.
            _ = try await h.call(.post, "/v1/messages", token: h.tokens[.bot], json: messageJSON("hello there", guild: guildA).json)
            let daily = try await h.database.transaction { conn in
                try conn.query("SELECT verdict, decisions FROM automod_daily WHERE guild_id = $1", [.int(Int64(guildA))])
                    .map { "\(try $0.string("verdict"))=\(try $0.int("decisions"))" }
            }
            #expect(daily == ["block=1"], "one blocked message counted, the allowed one not: \(daily)")
            let dashboard = try await admin.get(g)
            #expect(dashboard.text.contains("<th scope=\"row\">\(UTCDay.of(Date()))</th><td data-label=\"Flagged\">0</td><td data-label=\"Blocked\">1</td>"),
                    "today's row of the decisions table")
            // Days both stores can hold, or a clear refusal (not a store error, not an empty export).
            #expect(try await admin.get("\(g)/logs?to=9999-12-31").status == 400)
            #expect(try await admin.get("\(g)/logs.csv?from=0000-01-01").status == 400)
            // An unknown page is a page, with the console's headers.
            let unknown = try await admin.get("/console/guilds/\(guildA)/nope")
            #expect(unknown.status == 404 && unknown.headers[.contentType]?.hasPrefix("text/html") == true
                    && unknown.headers[.contentSecurityPolicy]?.contains("default-src 'self'") == true)
            // A setting Warden does not read is saved, with a warning naming it.
            let typo = try await admin.post("\(g)/settings", [("scope", "automod"), ("key", "apeal_window_days"), ("value", "7")])
            #expect(typo.status == 303)
            let warned = try await admin.get(try #require(typo.headers[.location]))
            #expect(warned.text.contains("Warden reads no setting of that name"))
            let tooBig = try await admin.post("\(g)/settings", [("scope", "automod"), ("key", "appeal_window_days"), ("value", "99999999999999999999999")])
            #expect(tooBig.status == 422 && tooBig.text.contains("appeal_window_days must be a whole number") && !tooBig.text.contains("DecodingError"))
            let logs = try await admin.get("\(g)/logs")
            #expect(logs.text.contains("[U+202E]"), "a bidi override shows as a marker")
            let csv = try await admin.get("\(g)/logs.csv")
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            #expect(csv.text.hasPrefix("log_id,timestamp,user_id,rule,verdict") && csv.text.contains("discord-nitro.gift"))
            let tested = try await admin.post("\(g)/tester", [("message", "free nitro https://discord-nitro.gift/claim")])
            #expect(tested.text.contains("data-verdict>block"))
            let badRegex = try await admin.post("\(g)/rules/custom", [("definition", #"{"name": "custom", "type": "regex", "patterns": ["ab(c"], "action": {"type": "alert"}}"#)])
            #expect(badRegex.status == 422 && badRegex.text.contains("data-rule-error") && badRegex.text.contains("offset"))
            let created = try await admin.post("/console/tokens", [("role", "moderator"), ("guild", String(guildA)), ("user", "900"), ("label", "for sam")])
            #expect(created.status == 200 && created.text.contains("data-new-token") && created.text.contains("wdn_"))
            let token = try await h.service.tokens.list(guild: Int64(guildA)).first { $0.label == "for sam" }
            #expect(token?.userID == 900 && token?.role == "moderator")
            let backtest = try await admin.post("\(g)/rules/custom/backtest", [("definition", #"{"name": "custom", "type": "content", "keywords": ["nitro"], "action": {"type": "alert"}}"#)])
            #expect(backtest.status == 200 && backtest.text.contains("data-backtest") && backtest.text.contains("data-newly-flagged"), "\(backtest.status)")
            #expect(try await admin.get("\(g)/rules/custom").status == 404, "a backtest saves nothing")
            let badSetting = try await admin.post("\(g)/settings", [("scope", "automod"), ("key", "appeal_window_days"), ("value", "\"soon\"")])
            #expect(badSetting.status == 422 && badSetting.text.contains("class=\"error\""), "\(badSetting.status)")
        }
    }
}
