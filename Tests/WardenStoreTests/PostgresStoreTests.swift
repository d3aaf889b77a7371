import Synchronization
import Foundation
import Testing
@testable import WardenStore
import WardenTestSupport

/// Runs against the server in WARDEN_TEST_POSTGRES_URL, each test in a schema of its own. Without that
/// variable every test here fails, unless WARDEN_SKIP_POSTGRES=1 disables the suite (shown as skipped).
@Suite("PostgreSQL store (schema per test)",
       .enabled(if: !TestStores.skipPostgres, "WARDEN_SKIP_POSTGRES=1"))
struct PostgresStoreTests {
    @Test func migrationsApplyOnceAndAreIdempotent() async throws { try await StoreChecks.migrationsApplyOnceAndAreIdempotent(.postgres) }
    @Test func concurrentMigratorsApplyOnce() async throws { try await StoreChecks.concurrentMigratorsApplyOnce(.postgres) }
    @Test func roundTripsEveryValueKind() async throws { try await StoreChecks.roundTripsEveryValueKind(.postgres) }
    @Test func rollsBackWhenTheBodyThrows() async throws { try await StoreChecks.rollsBackWhenTheBodyThrows(.postgres) }
    @Test func upsertsOnConflict() async throws { try await StoreChecks.upsertsOnConflict(.postgres) }
    @Test func constraintsAndIndexesHold() async throws { try await StoreChecks.constraintsAndIndexesHold(.postgres) }
    @Test func statementErrorsCarryContext() async throws { try await StoreChecks.statementErrorsCarryContext(.postgres) }
    @Test func concurrentTransactionsCountExactly() async throws { try await StoreChecks.concurrentTransactionsCountExactly(.postgres) }
    @Test func settingsWriteHistory() async throws { try await StoreChecks.settingsWriteHistory(.postgres) }
    @Test func closedStoreRefusesWork() async throws { try await StoreChecks.closedStoreRefusesWork(.postgres) }
    @Test func nulTextIsRefusedTheSameByBothDrivers() async throws { try await StoreChecks.nulTextIsRefusedTheSameByBothDrivers(.postgres) }

    @Test func schemasOfBothDialectsHaveTheSameColumns() async throws {
        let sqlite = try await DatabaseOpener.open(url: "sqlite::memory:")
        defer { Task { await sqlite.close() } }
        try await TestStores.with(.postgres) { pg in
            for table in TestStores.expectedTables.sorted() {
                let a = try await TestStores.columns(sqlite, table: table)
                // faq_entries.search is PostgreSQL's full-text vector; SQLite keeps its index in faq_entries_fts.
                let b = try await TestStores.columns(pg, table: table).filter { !(table == "faq_entries" && $0 == "search") }
                #expect(a == b, "columns of \(table) differ")
                #expect(!a.isEmpty, "\(table) has no columns")
            }
        }
    }

    @Test func timestampsComeBackInUTCFromTheServer() async throws {
        try await TestStores.with(.postgres) { db in
            let row = try await db.transaction { conn in
                try conn.query("SELECT TIMESTAMPTZ '2026-11-22 03:10:00.5+01' AS t, now() AS n, CURRENT_DATE AS d, 1.5::numeric AS x, 'NaN'::float8 AS nan", [])[0]
            }
            #expect(try row.timestamp("t") == Date(timeIntervalSince1970: 1_795_313_400.5))
            #expect(abs(try row.timestamp("n").timeIntervalSinceNow) < 300)
            #expect(try row.string("d").count == 10)
            #expect(try row.double("x") == 1.5)
            #expect(try row.double("nan").isNaN)
        }
    }

    @Test func aBrokenConnectionIsReplaced() async throws {
        try await TestStores.with(.postgres, poolSize: 1) { db in
            let killed = await #expect(throws: StoreError.self) {
                try await db.transaction { try $0.query("SELECT pg_terminate_backend(pg_backend_pid()) AS killed", []) }
            }
            #expect(killed != nil)
            // The only slot reconnects instead of reusing the dead connection.
            let one = try await db.transaction { try $0.query("SELECT 1 AS one", [])[0].int("one") }
            #expect(one == 1)
        }
    }

    @Test func waitersBeyondThePoolSizeAllComplete() async throws {
        try await TestStores.with(.postgres, poolSize: 2) { db in
            // Transactions inside at once, counted where they run: exactly the pool size at the peak shows both
            // real parallelism and no over-subscription, however loaded the machine is.
            let inside = Peak()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        _ = try await db.transaction { conn in
                            inside.enter()
                            defer { inside.leave() }
                            return try conn.query("SELECT pg_sleep(0.2) AS s", [])
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(inside.peak == 2)
        }
    }

    /// Four transactions blocked in libpq at once would starve a 2-thread cooperative pool if they ran on
    /// it; a trivial task must still get scheduled while they wait. Judged by order, not by a wall-clock
    /// bound that a loaded machine (or the rest of the suite, which shares the pool) can miss: the trivial
    /// task must run before the server ends the sleeps, as the server's own clock records it. Starved, it
    /// could run only once a blocked call returned, after that.
    @Test func blockingCallsStayOffTheCooperativePool() async throws {
        try await TestStores.with(.postgres, poolSize: 4) { db in
            let sleepers = Task { () -> [Double] in
                try await withThrowingTaskGroup(of: Double.self) { group in
                    for _ in 0..<4 {
                        group.addTask {
                            try await db.transaction { conn in
                                _ = try conn.query("SELECT pg_sleep(10) AS s", [])
                                return try conn.queryFirst("SELECT extract(epoch FROM clock_timestamp())::float8 AS ended", [])?.double("ended") ?? 0
                            }
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
            }
            try await Task.sleep(for: .milliseconds(300))
            let ran = await Task.detached { Date().timeIntervalSince1970 }.value
            let ended = try await sleepers.value
            let firstEnd = try #require(ended.min())
            #expect(ended.count == 4)
            #expect(ran < firstEnd, "a trivial task ran only \(ran - firstEnd) s after the blocked libpq calls returned")
        }
    }
}

/// Counts callers inside a section and remembers the most at once.
final class Peak: Sendable {
    private let state = Mutex((now: 0, peak: 0))
    func enter() { state.withLock { $0.now += 1; $0.peak = max($0.peak, $0.now) } }
    func leave() { state.withLock { $0.now -= 1 } }
    var peak: Int { state.withLock { $0.peak } }
}
