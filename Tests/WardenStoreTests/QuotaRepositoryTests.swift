import Foundation
import Testing
@testable import WardenStore
import WardenTestSupport

@Suite("Quota repository (SQLite)")
struct QuotaRepositorySQLiteTests {
    @Test func concurrentCallersNeverOvershootTheLimit() async throws { try await QuotaChecks.concurrentCallersNeverOvershootTheLimit(.sqlite) }
    @Test func countsRefundsAndPrunes() async throws { try await QuotaChecks.countsRefundsAndPrunes(.sqlite) }
    @Test func findsTheActiveSubscription() async throws { try await QuotaChecks.findsTheActiveSubscription(.sqlite) }
}

@Suite("Quota repository (PostgreSQL)", .enabled(if: !TestStores.skipPostgres, "WARDEN_SKIP_POSTGRES=1"))
struct QuotaRepositoryPostgresTests {
    @Test func concurrentCallersNeverOvershootTheLimit() async throws { try await QuotaChecks.concurrentCallersNeverOvershootTheLimit(.postgres) }
    @Test func countsRefundsAndPrunes() async throws { try await QuotaChecks.countsRefundsAndPrunes(.postgres) }
    @Test func findsTheActiveSubscription() async throws { try await QuotaChecks.findsTheActiveSubscription(.postgres) }
}

enum QuotaChecks {
    static let day = "2026-11-22"

    /// 40 callers race for 5 calls, each in its own transaction (on PostgreSQL over 8 pooled connections, so
    /// they really run at once): exactly 5 win, with counts 1...5, and the stored count is 5.
    static func concurrentCallersNeverOvershootTheLimit(_ dialect: SQLDialect) async throws {
        try await TestStores.with(dialect, poolSize: 8) { db in
            let results = try await withThrowingTaskGroup(of: Int?.self) { group in
                for _ in 0..<40 {
                    group.addTask {
                        try await db.transaction { conn in
                            try QuotaRepository.consume(on: conn, user: 7, guild: 1, day: day, limit: 5)
                        }
                    }
                }
                return try await group.reduce(into: [Int?]()) { $0.append($1) }
            }
            let allowed = results.compactMap { $0 }
            #expect(allowed.count == 5)
            #expect(allowed.sorted() == [1, 2, 3, 4, 5])
            let used = try await db.transaction { try QuotaRepository.used(on: $0, user: 7, guild: 1, day: day) }
            #expect(used == 5)
        }
    }

    static func countsRefundsAndPrunes(_ dialect: SQLDialect) async throws {
        try await TestStores.with(dialect) { db in
            try await db.transaction { conn in
                // Unlimited still counts.
                #expect(try QuotaRepository.consume(on: conn, user: 1, guild: 1, day: day, limit: nil) == 1)
                #expect(try QuotaRepository.consume(on: conn, user: 1, guild: 1, day: day, limit: nil) == 2)
                #expect(try QuotaRepository.consume(on: conn, user: 1, guild: 1, day: day, limit: 3) == 3)
                #expect(try QuotaRepository.consume(on: conn, user: 1, guild: 1, day: day, limit: 3) == nil)
                #expect(try QuotaRepository.used(on: conn, user: 1, guild: 1, day: day) == 3)

                // A limit of 0 denies without creating a row.
                #expect(try QuotaRepository.consume(on: conn, user: 2, guild: 1, day: day, limit: 0) == nil)
                #expect(try QuotaRepository.consume(on: conn, user: 2, guild: 1, day: day, limit: -1) == nil)
                let rows = try conn.query("SELECT COUNT(*) AS n FROM gpt_usage WHERE user_id = 2", [])[0].int("n")
                #expect(rows == 0)

                // Refund gives one back, never below 0, and creates nothing.
                try QuotaRepository.refund(on: conn, user: 1, guild: 1, day: day)
                #expect(try QuotaRepository.used(on: conn, user: 1, guild: 1, day: day) == 2)
                #expect(try QuotaRepository.consume(on: conn, user: 1, guild: 1, day: day, limit: 3) == 3)
                for _ in 0..<5 { try QuotaRepository.refund(on: conn, user: 1, guild: 1, day: day) }
                #expect(try QuotaRepository.used(on: conn, user: 1, guild: 1, day: day) == 0)
                try QuotaRepository.refund(on: conn, user: 3, guild: 1, day: day)
                #expect(try QuotaRepository.used(on: conn, user: 3, guild: 1, day: day) == 0)

                // Days and guilds are counted apart.
                #expect(try QuotaRepository.consume(on: conn, user: 1, guild: 2, day: day, limit: 5) == 1)
                #expect(try QuotaRepository.consume(on: conn, user: 1, guild: 1, day: "2026-11-21", limit: 5) == 1)
                #expect(try QuotaRepository.consume(on: conn, user: 1, guild: 1, day: "2026-11-20", limit: 5) == 1)
                #expect(try QuotaRepository.consume(on: conn, user: 1, guild: 1, day: "2025-12-31", limit: 5) == 1)

                // Prune drops the days before the given one, and only those.
                #expect(try QuotaRepository.prune(on: conn, before: "2026-11-21") == 2)
                #expect(try QuotaRepository.used(on: conn, user: 1, guild: 1, day: "2026-11-21") == 1)
                #expect(try QuotaRepository.used(on: conn, user: 1, guild: 1, day: "2026-11-20") == 0)
                #expect(try QuotaRepository.used(on: conn, user: 1, guild: 2, day: day) == 1)
            }
            // A malformed day fails the same way in both dialects, before reaching the database.
            for bad in ["2026-1-22", "22-11-2026", "2026-13-01", "", "2026-11-22T00:00:00Z"] {
                let error = await #expect(throws: StoreError.self) {
                    try await db.transaction { try QuotaRepository.consume(on: $0, user: 1, guild: 1, day: bad, limit: 5) }
                }
                #expect(error?.sqlState == "22007")
            }
        }
    }

    static func findsTheActiveSubscription(_ dialect: SQLDialect) async throws {
        let now = Date(timeIntervalSince1970: 1_795_310_400)
        let later = now.addingTimeInterval(86_400 * 30)
        try await TestStores.with(dialect) { db in
            try await db.transaction { conn in
                try QuotaRepository.insertSubscription(on: conn, user: 1, guild: 10, tier: "monthly", status: "active", expiresAt: later, at: now)
                // A cancelled higher tier does not count.
                try QuotaRepository.insertSubscription(on: conn, user: 1, guild: 10, tier: "lifetime", status: "cancelled", expiresAt: nil, at: now)
                // Expired (also exactly at `now`) and inactive are ignored.
                try QuotaRepository.insertSubscription(on: conn, user: 2, guild: 10, tier: "yearly", status: "active",
                                                       expiresAt: now.addingTimeInterval(-1), at: now)
                try QuotaRepository.insertSubscription(on: conn, user: 3, guild: 10, tier: "yearly", status: "active", expiresAt: now, at: now)
                try QuotaRepository.insertSubscription(on: conn, user: 4, guild: 10, tier: "yearly", status: "expired", expiresAt: later, at: now)
                // Another guild's subscription is not this guild's.
                try QuotaRepository.insertSubscription(on: conn, user: 5, guild: 20, tier: "lifetime", status: "active", expiresAt: nil, at: now)
                // Several old rows: only the active one answers (the schema allows one active row per user).
                try QuotaRepository.insertSubscription(on: conn, user: 6, guild: 10, tier: "monthly", status: "expired", expiresAt: now, at: now)
                try QuotaRepository.insertSubscription(on: conn, user: 6, guild: 10, tier: "yearly", status: "active", expiresAt: nil, at: now)
                // Snowflake-sized ids.
                try QuotaRepository.insertSubscription(on: conn, user: 1_100_000_000_000_000_510, guild: 1_100_000_000_000_000_001,
                                                       tier: "monthly", status: "active", expiresAt: later, at: now)
            }
            try await db.transaction { conn in
                let one = try QuotaRepository.activeSubscription(on: conn, user: 1, guild: 10, at: now)
                #expect(one == QuotaRepository.Subscription(tier: "monthly", status: "active", expiresAt: later))
                #expect(try QuotaRepository.activeSubscription(on: conn, user: 1, guild: 10, at: later) == nil)
                #expect(try QuotaRepository.activeSubscription(on: conn, user: 2, guild: 10, at: now) == nil)
                #expect(try QuotaRepository.activeSubscription(on: conn, user: 3, guild: 10, at: now) == nil)
                #expect(try QuotaRepository.activeSubscription(on: conn, user: 3, guild: 10, at: now.addingTimeInterval(-1))?.tier == "yearly")
                #expect(try QuotaRepository.activeSubscription(on: conn, user: 4, guild: 10, at: now) == nil)
                #expect(try QuotaRepository.activeSubscription(on: conn, user: 5, guild: 10, at: now) == nil)
                #expect(try QuotaRepository.activeSubscription(on: conn, user: 5, guild: 20, at: now)?.tier == "lifetime")
                #expect(try QuotaRepository.activeSubscription(on: conn, user: 5, guild: 20, at: now)?.expiresAt == nil)
                #expect(try QuotaRepository.activeSubscription(on: conn, user: 6, guild: 10, at: now)?.tier == "yearly")
                #expect(try QuotaRepository.activeSubscription(on: conn, user: 99, guild: 10, at: now) == nil)
                #expect(try QuotaRepository.activeSubscription(on: conn, user: 1_100_000_000_000_000_510, guild: 1_100_000_000_000_000_001,
                                                               at: now)?.tier == "monthly")
            }
            // A second active row for a user is refused by the schema.
            let error = await #expect(throws: StoreError.self) {
                try await db.transaction { conn in
                    try QuotaRepository.insertSubscription(on: conn, user: 1, guild: 10, tier: "yearly", status: "active", expiresAt: nil, at: now)
                }
            }
            #expect(error?.isUniqueViolation == true)
        }
    }
}
