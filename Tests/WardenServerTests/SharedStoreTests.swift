import WardenApp
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import WardenCore
import WardenLLM
import WardenPipeline
import WardenServer
import WardenStore
import WardenTestSupport

/// Two service instances on one PostgreSQL database, each with its own connections (as two processes
/// would have): re-deliveries raced to both are decided once, a decision is the same whichever answers,
/// an appeal approved at both at once is approved once, and quota charges never pass the limit.
@Suite("Two instances on one PostgreSQL database")
struct SharedStoreTests {
    @Test func instancesShareIdempotencyAppealsEventsAndQuotas() async throws {
        try await withTwoInstances(lanes: 2) { a, b in
            let first = a.app.database, second = b.app.database
            let token = try await a.tokens.create(role: .admin, guild: nil, label: "both").token
            let appA = Application(router: a.router(), configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)))
            let appB = Application(router: b.router(), configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)))
            try await appA.test(.live) { clientA in
                try await appB.test(.live) { clientB in
                    // As a bot does: a 503 (the store busy past its retries, which a loaded machine can make of two
                    // instances contending for one guild's rows) is sent again after its Retry-After, a few times.
                    func post(_ client: any TestClientProtocol, _ path: String, _ json: String) async throws -> (Int, String) {
                        var headers = HTTPFields()
                        headers[.authorization] = "Bearer \(token)"
                        headers[.contentType] = "application/json"
                        var answer = (0, "")
                        for attempt in 0..<5 {
                            if attempt > 0 { try await Task.sleep(for: .seconds(1)) }
                            answer = try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: json)) {
                                (Int($0.status.code), String(buffer: $0.body))
                            }
                            if answer.0 != 503 { break }
                        }
                        return answer
                    }
                    // 120 messages (one per member, so no spam window fills), each sent to both instances at once; every fifth is a scam.
                    let messages = (0..<120).map { index in
                        messageJSON(index % 5 == 0 ? "FREE NITRO https://discord-nitro.gift/\(index)" : "see you at the raid \(index)",
                                    user: UInt64(500 + index))
                    }
                    let answers = try await withThrowingTaskGroup(of: (Int, Int, String).self) { group in
                        for (index, message) in messages.enumerated() {
                            group.addTask { let (s, t) = try await post(clientA, "/v1/messages", message.json); return (index, s, t) }
                            group.addTask { let (s, t) = try await post(clientB, "/v1/messages", message.json); return (index, s, t) }
                        }
                        var answers: [Int: [(Int, String)]] = [:]
                        for try await (index, status, text) in group { answers[index, default: []].append((status, text)) }
                        return answers
                    }
                    for index in messages.indices {
                        let pair = try #require(answers[index])
                        #expect(pair.count == 2 && pair.allSatisfy { $0.0 == 200 }, "message \(index): \(pair.map(\.0))")
                        #expect(Set(pair.map(\.1)).count == 1, "both instances answer message \(index) with the same decision")
                    }
                    let ids = messages.map { Int64(bitPattern: $0.id) }
                    let range: [SQLValue] = [.int(ids.min() ?? 0), .int(ids.max() ?? 0)]
                    #expect(try await count(first, "SELECT COUNT(*) AS n FROM message_decisions WHERE message_id BETWEEN $1 AND $2", range) == 120)
                    #expect(try await count(first, "SELECT COUNT(*) AS n FROM automod_logs WHERE message_id BETWEEN $1 AND $2", range) == 24)

                    // One appeal, approved at both instances at once: one wins, the other is told it is decided.
                    let log = try #require(try await first.transaction { conn in
                        try conn.queryFirst("SELECT MIN(id) AS n FROM automod_logs", [])?.int("n")
                    })
                    let owner = try #require(try await first.transaction { conn in
                        try conn.queryFirst("SELECT user_id AS n FROM automod_logs WHERE id = $1", [.int(log)])?.int("n")
                    })
                    let filed = try await post(clientA, "/v1/guilds/\(guildA)/appeals", #"{"log_id": \#(log), "user_id": "\#(owner)", "reason": "mistake"}"#)
                    #expect(filed.0 == 201)
                    let appeal = try #require((try JSONSerialization.jsonObject(with: Data(filed.1.utf8)) as? [String: Any])?["id"] as? Int)
                    async let viaA = post(clientA, "/v1/guilds/\(guildA)/appeals/\(appeal)/approve", #"{"moderator_id": "1"}"#)
                    async let viaB = post(clientB, "/v1/guilds/\(guildA)/appeals/\(appeal)/approve", #"{"moderator_id": "2"}"#)
                    let statuses = try await [viaA.0, viaB.0].sorted()
                    #expect(statuses == [200, 409])
                    #expect(try await count(first, "SELECT COUNT(*) AS n FROM events WHERE kind = 'appeal_reversal'") == 1)
                    #expect(try await count(first, "SELECT COALESCE(SUM(false_positives), 0) AS n FROM automod_stats") == 1)
                }
            }

            // Quotas: both instances charge the same member at once; the free tier's 5 a day hold.
            let gates = [QuotaGate(database: first), QuotaGate(database: second)]
            let allowed = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<20 {
                    group.addTask {
                        if case .allowed = try await gates[index % 2].consume(user: 777, guild: Int64(bitPattern: guildA)) { return true }
                        return false
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(allowed == 5)
        }
    }
}
