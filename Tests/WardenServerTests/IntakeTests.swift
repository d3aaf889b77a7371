import Foundation
import Hummingbird
import Testing
import WardenServer
import WardenStore

/// The group commit: messages committed together do not share one message's or one guild's failure.
@Suite("Message intake")
struct IntakeTests {
    @Test(arguments: allDialects)
    func aBrokenGuildFailsOnlyItsOwnMessages(_ dialect: SQLDialect) async throws {
        try await withServer(dialect) { h in
            // A value stored before today's checks existed (written around the validation).
            try await h.database.transaction { conn in
                try SettingsRepository.set(on: conn, guild: Int64(bitPattern: guildB), scope: "automod", key: "appeal_window_days",
                                           valueJSON: #""14d""#, valueType: nil, by: nil)
            }
            let bot = h.tokens[.bot]
            let replies = try await withThrowingTaskGroup(of: (UInt64, Reply).self) { group in
                for index in 0..<40 {
                    let guild = index % 2 == 0 ? guildA : guildB
                    group.addTask { (guild, try await h.call(.post, "/v1/messages", token: bot, json: messageJSON("hello \(index)", guild: guild, user: UInt64(600 + index)).json)) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            for (guild, reply) in replies {
                if guild == guildA {
                    #expect(reply.status == 200, "guild A: \(reply.status) \(reply.text)")
                } else {
                    #expect(reply.status == 409 && reply.errorCode == "invalid_setting", "guild B: \(reply.status) \(reply.text)")
                    #expect(reply.text.contains("appeal_window_days"))
                }
            }
            #expect(try await count(h.database, "SELECT COUNT(*) AS n FROM message_decisions") == 20)

            // The batch route likewise: guild B's element answers its error in place, the others are judged.
            let batch = try await h.call(.post, "/v1/messages/batch", token: bot, json: """
                [\(messageJSON("one", guild: guildA).json), \(messageJSON("two", guild: guildB).json), \(messageJSON("three", guild: guildA).json)]
                """)
            let results = try #require(batch.json["results"] as? [[String: Any]])
            #expect(results.count == 3)
            #expect(results[0]["verdict"] as? String == "allow" && results[2]["verdict"] as? String == "allow")
            #expect((results[1]["error"] as? [String: Any])?["code"] as? String == "invalid_setting" && results[1]["index"] as? Int == 1)
        }
    }

    /// An array whose elements are not parted by commas is not JSON: 400 naming the place, nothing judged,
    /// rather than one element that fails to decode. Strings, nesting and spaces inside elements are fine.
    @Test(arguments: allDialects)
    func anArrayWithAMissingCommaIsMalformedAndNothingIsJudged(_ dialect: SQLDialect) async throws {
        try await withServer(dialect) { h in
            let bot = h.tokens[.bot]
            let (one, two) = (messageJSON("one, } ] \" [ {").json, messageJSON("two").json)
            for (path, body) in [("/v1/messages/batch", "[\(one) \(two)]"), ("/v1/messages/batch", "[ \(one) ,\(two)\n \(two)]"),
                                 ("/v1/messages/batch", "[1\(one)]"), ("/v1/messages/batch", #"[true"x"]"#),
                                 ("/v1/messages/batch", #"[{"a":[1}]]"#),
                                 ("/v1/gateway", #"[{"op":0,"t":"MESSAGE_CREATE","s":1,"d":\#(one)}{"op":0,"t":"MESSAGE_CREATE","s":2,"d":\#(two)}]"#)] {
                let reply = try await h.call(.post, path, token: bot, json: body)
                #expect(reply.status == 400 && reply.errorCode == "malformed_json", "\(path): \(reply.status) \(reply.text)")
                #expect(reply.text.contains("expected ',' or ']' after element") || reply.text.contains("does not close the bracket"), "\(reply.text)")
            }
            #expect(try await count(h.database, "SELECT COUNT(*) AS n FROM message_decisions") == 0)
            // The same elements with their commas (and spaces everywhere JSON allows them) are judged.
            let good = try await h.call(.post, "/v1/messages/batch", token: bot, json: "[ \(one) ,\n \(two) ]")
            #expect(good.status == 200 && (good.json["results"] as? [[String: Any]])?.count == 2, "\(good.text)")
        }
    }
}
