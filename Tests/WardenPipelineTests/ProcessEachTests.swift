import Foundation
import Synchronization
import Testing
@testable import WardenPipeline
import WardenCore
import WardenStore

/// `processEach`: a batch whose guilds partly cannot be loaded answers each message on its own, and the
/// healthy ones still commit together rather than one transaction a message.
@Suite struct ProcessEachTests {
    /// A real store that counts the transactions it is asked for.
    final class CountingDatabase: Database {
        let inner: any Database
        let transactions = Atomic<Int>(0)
        init(_ inner: any Database) { self.inner = inner }
        var dialect: SQLDialect { inner.dialect }
        func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T {
            transactions.add(1, ordering: .relaxed)
            return try await inner.transaction(body)
        }
        func close() async { await inner.close() }
    }

    @Test(arguments: allDialects)
    func aBrokenGuildFailsItsMessagesAndTheOthersCommitTogether(_ dialect: SQLDialect) async throws {
        try await withStore(dialect) { db in
            let healthy: UInt64 = 1_100_000_000_000_000_001, broken: UInt64 = 1_100_000_000_000_000_002
            // A value stored before today's checks existed (written around the validation).
            try await db.transaction { conn in
                try SettingsRepository.set(on: conn, guild: Int64(bitPattern: broken), scope: "automod", key: "appeal_window_days",
                                           valueJSON: #""14d""#, valueType: nil, by: nil)
            }
            let counting = CountingDatabase(db)
            let pipeline = try makePipeline(counting, pack: try loadDefaultPack())
            // The healthy guild's rules are loaded (and its pack imported) before counting starts.
            _ = try await pipeline.process(message("warm up", guild: healthy))

            let messages = (0..<40).map { message("hello \($0)", guild: $0 % 2 == 0 ? healthy : broken, user: UInt64(600 + $0)) }
            let before = counting.transactions.load(ordering: .relaxed)
            let results = await pipeline.processEach(messages)
            let spent = counting.transactions.load(ordering: .relaxed) - before

            #expect(results.count == 40)
            for (message, result) in zip(messages, results) {
                switch result {
                case .success(let processed):
                    #expect(message.guildID.rawValue == healthy && processed.decision.verdict == .allow && !processed.replayed)
                    #expect(processed.decision.messageID == message.id, "an answer for another message")
                case .failure(let error):
                    #expect(message.guildID.rawValue == broken, "a healthy guild's message failed: \(error)")
                    #expect("\(error)".contains("appeal_window_days"))
                }
            }
            #expect(try await count(db, "SELECT COUNT(*) AS n FROM message_decisions") == 21)
            // The failed batch's load of the broken guild, its load again to find it broken, and the healthy
            // messages' one commit: a few transactions, not one for each of the 40 messages.
            #expect(spent <= 3, "\(spent) transactions for one batch")
        }
    }
}
