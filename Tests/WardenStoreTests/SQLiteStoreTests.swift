import Foundation
import Testing
@testable import WardenStore
import WardenTestSupport

@Suite("SQLite store (file in a temporary directory)")
struct SQLiteStoreTests {
    @Test func migrationsApplyOnceAndAreIdempotent() async throws { try await StoreChecks.migrationsApplyOnceAndAreIdempotent(.sqlite) }
    @Test func concurrentMigratorsApplyOnce() async throws { try await StoreChecks.concurrentMigratorsApplyOnce(.sqlite) }
    @Test func roundTripsEveryValueKind() async throws { try await StoreChecks.roundTripsEveryValueKind(.sqlite) }
    @Test func rollsBackWhenTheBodyThrows() async throws { try await StoreChecks.rollsBackWhenTheBodyThrows(.sqlite) }
    @Test func upsertsOnConflict() async throws { try await StoreChecks.upsertsOnConflict(.sqlite) }
    @Test func constraintsAndIndexesHold() async throws { try await StoreChecks.constraintsAndIndexesHold(.sqlite) }
    @Test func statementErrorsCarryContext() async throws { try await StoreChecks.statementErrorsCarryContext(.sqlite) }
    @Test func concurrentTransactionsCountExactly() async throws { try await StoreChecks.concurrentTransactionsCountExactly(.sqlite) }
    @Test func settingsWriteHistory() async throws { try await StoreChecks.settingsWriteHistory(.sqlite) }
    @Test func closedStoreRefusesWork() async throws { try await StoreChecks.closedStoreRefusesWork(.sqlite) }
    @Test func nulTextIsRefusedTheSameByBothDrivers() async throws { try await StoreChecks.nulTextIsRefusedTheSameByBothDrivers(.sqlite) }

    @Test func reopeningAFileKeepsDataAndDoesNotMigrateAgain() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("warden-reopen-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = "sqlite:" + directory.appendingPathComponent("w.sqlite").path
        let first = try await DatabaseOpener.open(url: url)
        try await SettingsRepository(database: first).set(guild: 1, scope: "s", key: "k", valueJSON: "1", valueType: nil, by: nil)
        await first.close()

        let second = try await DatabaseOpener.open(url: url)
        #expect(try await Migrator.migrate(second).isEmpty)
        #expect(try await SettingsRepository(database: second).get(guild: 1, scope: "s", key: "k")?.value == "1")
        let mode = try await second.transaction { try $0.query("PRAGMA journal_mode", [])[0].string("journal_mode") }
        #expect(mode == "wal")
        let fk = try await second.transaction { try $0.query("PRAGMA foreign_keys", [])[0].int("foreign_keys") }
        #expect(fk == 1)
        await second.close()
    }

    @Test func inMemoryStoreWorks() async throws {
        let db = try await DatabaseOpener.open(url: "sqlite::memory:")
        #expect(db.dialect == .sqlite)
        #expect(TestStores.expectedTables.isSubset(of: try await TestStores.tables(db)))
        await db.close()
    }

    @Test func defaultTimestampsHaveTheFixedWidthForm() async throws {
        let db = try await DatabaseOpener.open(url: "sqlite::memory:")
        let stamp = try await db.transaction { conn -> String in
            try conn.execute("INSERT INTO events (guild_id, kind, payload) VALUES (1, 'x', '{}')", [])
            return try conn.query("SELECT created_at FROM events", [])[0].string("created_at")
        }
        #expect(stamp.count == 27)
        #expect(UTCTimestamp.parse(stamp) != nil)
        await db.close()
    }
}
