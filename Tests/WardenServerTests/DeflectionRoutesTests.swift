import Foundation
import Hummingbird
import Testing
import WardenServer
import WardenStore

/// FAQ deflection and transcripts over real HTTP on both stores: the bot's calls, the member's "this solved
/// it", a silent close, the guild's figures in the API and in /metrics, and each transcript form.
@Suite("FAQ deflection and transcripts over HTTP", .serialized)
struct DeflectionRoutesTests {
    @Test(arguments: allDialects)
    func deflectionIsMeasuredThroughTheAPIAndMetrics(_ dialect: SQLDialect) async throws {
        try await withServer(dialect) { h in
            let g = "/v1/guilds/\(guildA)"
            let bot = h.scoped[guildA]![.bot]!, staff = h.scoped[guildA]![.staff]!
            let (premium, twoFactor) = try await h.database.transaction { conn in
                (try FAQRepository.insertEntry(on: conn, guild: Int64(bitPattern: guildA), title: "Premium did not unlock after paying",
                                               summary: "Link your Ko-fi email with /premium link.", keywords: ["premium", "kofi"],
                                               clusterKey: nil, proposalID: nil, at: Date()),
                 try FAQRepository.insertEntry(on: conn, guild: Int64(bitPattern: guildA), title: "Reset 2FA", summary: "Use a backup code.",
                                               keywords: ["2fa"], clusterKey: nil, proposalID: nil, at: Date()))
            }
            func open(_ user: Int, _ text: String) async throws -> Int {
                try #require(try await h.call(.post, "\(g)/tickets", token: bot, json: #"{"user_id": "\#(user)", "description": "\#(text)"}"#).json["id"] as? Int)
            }
            // Solved by the member's word.
            let a = try await open(42, "premium did not unlock, I paid with kofi")
            let asked = try await h.call(.post, "\(g)/tickets/\(a)/suggestions", token: bot)
            #expect(asked.status == 200, "\(asked.text)")
            #expect((asked.json["suggestions"] as? [[String: Any]])?.map { $0["entry_id"] as? Int } == [Int(premium)])
            let notSuggested = try await h.call(.post, "\(g)/tickets/\(a)/suggestions/\(twoFactor)/solved", token: bot, json: #"{"user_id": "42"}"#)
            #expect(notSuggested.status == 409 && notSuggested.errorCode == "not_suggested")
            let stranger = try await h.call(.post, "\(g)/tickets/\(a)/suggestions/\(premium)/solved", token: bot, json: #"{"user_id": "43"}"#)
            #expect(stranger.status == 400 && stranger.errorCode == "invalid_field" && stranger.text.contains("user_id"))
            let solved = try await h.call(.post, "\(g)/tickets/\(a)/suggestions/\(premium)/solved", token: bot, json: #"{"user_id": "42"}"#)
            #expect(solved.json["status"] as? String == "closed" && solved.json["changed"] as? Bool == true)
            #expect((solved.json["suggestions"] as? [[String: Any]])?.first?["outcome"] as? String == "solved")
            let twice = try await h.call(.post, "\(g)/tickets/\(a)/suggestions/\(premium)/solved", token: bot, json: #"{"user_id": "42"}"#)
            #expect(twice.status == 200 && twice.json["changed"] as? Bool == false)
            let closed = try await h.call(.post, "\(g)/tickets/\(a)/suggestions", token: bot)
            #expect(closed.status == 409 && closed.errorCode == "ticket_finished")
            // Closed by staff without a word from them: deflected too.
            let b = try await open(43, "how do I reset 2fa")
            _ = try await h.call(.post, "\(g)/tickets/\(b)/suggestions", token: bot, json: "{}")
            #expect(try await h.call(.post, "\(g)/tickets/\(b)/transitions", token: staff, json: #"{"event": "close"}"#).status == 200)
            // Answered by staff: not deflected.
            let c = try await open(44, "premium is still locked")
            _ = try await h.call(.post, "\(g)/tickets/\(c)/suggestions", token: bot, json: #"{"limit": 1}"#)
            _ = try await h.call(.post, "\(g)/tickets/\(c)/messages", token: staff, json: #"{"author_id": "77", "content": "Which email?"}"#)
            _ = try await h.call(.post, "\(g)/tickets/\(c)/transitions", token: staff, json: #"{"event": "close"}"#)
            // Nothing matches: no suggestion.
            let d = try await open(45, "hello")
            #expect((try await h.call(.post, "\(g)/tickets/\(d)/suggestions", token: bot).json["suggestions"] as? [Any])?.isEmpty == true)
            let badLimit = try await h.call(.post, "\(g)/tickets/\(d)/suggestions", token: bot, json: #"{"limit": 11}"#)
            #expect(badLimit.status == 400 && badLimit.text.contains("limit"))

            let stats = try await h.call(.get, "\(g)/faq/deflection", token: staff)
            #expect(stats.status == 200)
            #expect(stats.json["tickets_opened"] as? Int == 4 && stats.json["tickets_suggested"] as? Int == 3)
            #expect(stats.json["solved"] as? Int == 1 && stats.json["closed_without_reply"] as? Int == 1 && stats.json["deflected"] as? Int == 2)
            #expect(stats.json["suggestion_rate"] as? Double == 0.75 && stats.json["deflection_rate"] as? Double == 2.0 / 3.0)
            let top = try #require(stats.json["top_entries"] as? [[String: Any]])
            #expect(top.compactMap { $0["entry_id"] as? Int }.sorted() == [Int(premium), Int(twoFactor)].sorted())
            #expect(top.first { $0["entry_id"] as? Int == Int(premium) }?["suggested"] as? Int == 2)
            #expect(try await h.call(.get, "\(g)/faq/deflection", token: bot).status == 403, "figures are for staff")
            #expect(try await h.call(.get, "\(g)/faq/deflection?days=0", token: staff).status == 400)

            let metrics = try await h.call(.get, "/metrics", token: nil).text
            let label = #"guild="\#(guildA)""#
            for line in ["warden_faq_tickets_opened{\(label)} 4.0", "warden_faq_tickets_suggested{\(label)} 3.0",
                         #"warden_faq_tickets_deflected{\#(label),how="solved"} 1.0"#,
                         #"warden_faq_tickets_deflected{\#(label),how="closed_without_reply"} 1.0"#,
                         "warden_faq_suggestion_rate{\(label)} 0.75", "warden_faq_deflection_rate{\(label)} \(2.0 / 3.0)",
                         #"warden_faq_entry_deflections{\#(label),entry="\#(premium)"} 1.0"#] {
                #expect(metrics.contains(line + "\n"), "missing in /metrics: \(line)")
            }
            #expect(!metrics.contains(#"guild="\#(guildB)""#), "a guild without suggestions adds no series")
        }
    }

    @Test(arguments: allDialects)
    func transcriptsComeInEachFormWithTheirTypes(_ dialect: SQLDialect) async throws {
        try await withServer(dialect) { h in
            let g = "/v1/guilds/\(guildA)"
            let bot = h.scoped[guildA]![.bot]!, moderator = h.scoped[guildA]![.moderator]!
            let ticket = try #require(try await h.call(.post, "\(g)/tickets", token: bot,
                                                       json: #"{"user_id": "42", "username": "<b>sam</b>", "description": "</style><script>alert(1)</script>"}"#).json["id"] as? Int)
            _ = try await h.call(.post, "\(g)/tickets/\(ticket)/messages", token: bot,
                                 json: #"{"author_id": "77", "content": "see https://cdn.discordapp.com/attachments/1/2/log.txt"}"#)

            let json = try await h.call(.get, "\(g)/tickets/\(ticket)/transcript", token: moderator)
            #expect(json.status == 200 && json.headers[.contentType] == "application/json")
            #expect(json.headers[.xContentTypeOptions] == "nosniff")
            let messages = try #require(json.json["messages"] as? [[String: Any]])
            #expect(messages.map { $0["author_role"] as? String } == ["member", "staff"])
            #expect(messages.first?["content"] as? String == "</style><script>alert(1)</script>")
            #expect(messages.last?["attachments"] as? [String] == ["https://cdn.discordapp.com/attachments/1/2/log.txt"])
            #expect(!json.text.contains("<"))

            let markdown = try await h.call(.get, "\(g)/tickets/\(ticket)/transcript?format=markdown", token: moderator)
            #expect(markdown.headers[.contentType] == "text/markdown; charset=utf-8")
            #expect(markdown.text.contains("> \\<\\/style\\>\\<script\\>alert\\(1\\)\\<\\/script\\>"))
            #expect(markdown.headers[.contentDisposition] == #"inline; filename="ticket-\#(ticket).md""#)

            let html = try await h.call(.get, "\(g)/tickets/\(ticket)/transcript?format=html", token: moderator)
            #expect(html.headers[.contentType] == "text/html; charset=utf-8")
            let policy = try #require(html.headers[.contentSecurityPolicy])
            // The header's policy is the page's own plus frame-ancestors, which a <meta> policy cannot carry.
            #expect(policy.hasPrefix("default-src 'none'; style-src 'sha256-") && policy.hasSuffix("; frame-ancestors 'none'"))
            let pagePolicy = String(policy.dropLast("; frame-ancestors 'none'".count))
            #expect(html.text.contains(#"content="\#(pagePolicy)""#))
            #expect(!html.text.lowercased().contains("<script") && html.text.contains("&lt;/style&gt;&lt;script&gt;"))
            #expect(html.text.contains("(<bdi>&lt;b&gt;sam&lt;/b&gt;</bdi>)"))

            let unknown = try await h.call(.get, "\(g)/tickets/\(ticket)/transcript?format=pdf", token: moderator)
            #expect(unknown.status == 400 && unknown.errorCode == "invalid_parameter")
            #expect(unknown.text.contains("json, markdown, html") && unknown.text.contains("'pdf'"))
            #expect(try await h.call(.get, "\(g)/tickets/999999/transcript", token: moderator).status == 404)
        }
    }
}
