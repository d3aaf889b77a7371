import Foundation
import Synchronization
import Testing
@testable import WardenStore
import WardenTestSupport

@Suite("Event repository (SQLite)")
struct EventRepositorySQLiteTests {
    @Test func appendsListsAndPrunesInOrder() async throws { try await EventChecks.appendsListsAndPrunesInOrder(.sqlite) }
    @Test func aCursorReaderNeverMissesConcurrentAppends() async throws { try await EventChecks.aCursorReaderNeverMissesConcurrentAppends(.sqlite) }
}

@Suite("Event repository (PostgreSQL)", .enabled(if: !TestStores.skipPostgres, "WARDEN_SKIP_POSTGRES=1"))
struct EventRepositoryPostgresTests {
    @Test func appendsListsAndPrunesInOrder() async throws { try await EventChecks.appendsListsAndPrunesInOrder(.postgres) }
    @Test func aCursorReaderNeverMissesConcurrentAppends() async throws { try await EventChecks.aCursorReaderNeverMissesConcurrentAppends(.postgres) }
}

/// A payload as the tests decode it: payload text is compared as a decoded value, never as a string,
/// because PostgreSQL's JSONB reorders keys and changes spacing.
struct TestPayload: Codable, Equatable {
    var verdict: String
    var scores: [String: Double]
    var tags: [String]
    var note: String?
}

/// A flag the appenders raise when they are done, read by the polling reader.
final class DoneFlag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}

enum EventChecks {
    static func decode(_ text: String) throws -> TestPayload {
        try JSONDecoder().decode(TestPayload.self, from: Data(text.utf8))
    }

    static func appendsListsAndPrunesInOrder(_ dialect: SQLDialect) async throws {
        let t0 = Date(timeIntervalSince1970: 1_795_310_400.25)
        let payload = TestPayload(verdict: "block", scores: ["hate": 0.91, "spam": 0], tags: ["a", "ü \"q\""], note: nil)
        let payloadText = #"{ "verdict" : "block", "scores": {"spam": 0, "hate": 0.91}, "tags": ["a", "ü \"q\""], "note": null }"#
        try await TestStores.with(dialect) { db in
            let ids = try await db.transaction { conn -> [Int64] in
                var ids: [Int64] = []
                for (i, guild) in [Int64(1), 2, 1, 1, 2].enumerated() {
                    ids.append(try EventRepository.append(on: conn, guild: guild, kind: "llm_verdict", payloadJSON: payloadText,
                                                          at: t0.addingTimeInterval(Double(i) * 60)))
                }
                return ids
            }
            #expect(ids == ids.sorted())
            let guildOne = try await db.transaction { try EventRepository.list(on: $0, guild: 1, after: 0, limit: 10) }
            #expect(guildOne.map(\.id) == [ids[0], ids[2], ids[3]])
            #expect(guildOne.allSatisfy { $0.guildID == 1 && $0.kind == "llm_verdict" })
            for event in guildOne { #expect(try decode(event.payloadJSON) == payload) }
            // Both dialects give the same fixed-width UTC text.
            #expect(guildOne[0].createdAt == "2026-11-22T01:20:00.250000Z")
            #expect(guildOne.allSatisfy { $0.createdAt.count == 27 })

            // The cursor: strictly after, ascending, at most `limit`.
            let page = try await db.transaction { try EventRepository.list(on: $0, guild: 1, after: ids[0], limit: 1) }
            #expect(page.map(\.id) == [ids[2]])
            let rest = try await db.transaction { try EventRepository.list(on: $0, guild: 1, after: ids[2], limit: 10) }
            #expect(rest.map(\.id) == [ids[3]])
            #expect(try await db.transaction { try EventRepository.list(on: $0, guild: 1, after: ids[3], limit: 10) }.isEmpty)
            #expect(try await db.transaction { try EventRepository.list(on: $0, guild: 1, after: 0, limit: 0) }.isEmpty)

            // Invalid JSON is refused in both dialects.
            await #expect(throws: StoreError.self) {
                try await db.transaction { try EventRepository.append(on: $0, guild: 1, kind: "x", payloadJSON: "{nope", at: t0) }
            }

            // Prune by creation time, across guilds; a reader's cursor stays valid.
            let pruned = try await db.transaction { try EventRepository.prune(on: $0, before: t0.addingTimeInterval(150)) }
            #expect(pruned == 3)
            let left = try await db.transaction { try EventRepository.list(on: $0, guild: 1, after: ids[0], limit: 10) }
            #expect(left.map(\.id) == [ids[3]])
        }
    }

    /// Four appenders for one guild (each event in its own transaction that stays open a moment after the
    /// insert, so commits would arrive out of id order without the guild lock), one appender for another
    /// guild taking ids in between, and a reader polling by cursor all at once: the reader sees every id of
    /// its guild exactly once, in increasing order.
    static func aCursorReaderNeverMissesConcurrentAppends(_ dialect: SQLDialect) async throws {
        let appenders = 4, perAppender = 30
        try await TestStores.with(dialect, poolSize: 7) { db in
            let done = DoneFlag()
            let reader = Task { () throws -> [Int64] in
                var cursor: Int64 = 0
                var seen: [Int64] = []
                while true {
                    // Read the flag before the page: a page read after the appenders finished is complete.
                    let finished = done.isSet
                    let after = cursor
                    let page = try await db.transaction { try EventRepository.list(on: $0, guild: 1, after: after, limit: 16) }
                    if let last = page.last {
                        seen += page.map(\.id)
                        cursor = last.id
                    } else if finished {
                        return seen
                    } else {
                        try await Task.sleep(for: .milliseconds(1))
                    }
                }
            }
            let appended = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for worker in 0..<appenders {
                    group.addTask {
                        var ids: [Int64] = []
                        for i in 0..<perAppender {
                            ids.append(try await db.transaction { conn in
                                let id = try EventRepository.append(on: conn, guild: 1, kind: "k", payloadJSON: #"{"w": \#(worker), "i": \#(i)}"#,
                                                                    at: Date())
                                try hold(conn, microseconds: 1_000 + (i % 3) * 1_000)
                                return id
                            })
                        }
                        return ids
                    }
                }
                group.addTask {
                    for i in 0..<perAppender * 2 {
                        _ = try await db.transaction { conn in
                            try EventRepository.append(on: conn, guild: 2, kind: "k", payloadJSON: #"{"i": \#(i)}"#, at: Date())
                        }
                    }
                    return []
                }
                return try await group.reduce(into: [Int64]()) { $0 += $1 }
            }
            done.set()
            let seen = try await reader.value
            #expect(appended.count == appenders * perAppender)
            #expect(seen == appended.sorted(), "missed: \(Set(appended).subtracting(seen).sorted().prefix(10))")
        }
    }

    /// Keeps the transaction open a moment after its insert, as a slow caller would.
    static func hold(_ conn: any SQLConnection, microseconds: Int) throws {
        switch conn.dialect {
        case .postgres: _ = try conn.query("SELECT pg_sleep($1) AS slept", [.double(Double(microseconds) / 1_000_000)])
        case .sqlite: usleep(UInt32(microseconds))
        }
    }
}
