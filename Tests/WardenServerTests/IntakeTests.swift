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
        }
    }

    @Test(arguments: allDialects)
    func aMessageWithNULCharactersIsJudgedAndStored(_ dialect: SQLDialect) async throws {
        try await withServer(dialect) { h in
            let message = messageJSON("FREE NI\u{0}TRO https://discord-nitro.gift/claim")
            let reply = try await h.call(.post, "/v1/messages", token: h.tokens[.bot], json: message.json)
            #expect(reply.status == 200 && reply.json["verdict"] as? String == "block", "\(reply.text)")
        }
    }
}
