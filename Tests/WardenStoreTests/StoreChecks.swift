import Foundation
import Testing
@testable import WardenStore
import WardenTestSupport

struct Boom: Error {}

/// Behaviour both drivers must share. Each check gets a fresh store from `TestStores`; the SQLite and
/// PostgreSQL suites call the same checks so the dialects cannot drift apart unnoticed.
enum StoreChecks {
    static func migrationsApplyOnceAndAreIdempotent(_ dialect: SQLDialect) async throws {
        try await TestStores.with(dialect, migrate: false) { db in
            let first = try await Migrator.migrate(db)
            #expect(first == Migrator.migrations(for: dialect).map(\.version))
            #expect(first.first == 1)
            let second = try await Migrator.migrate(db)
            #expect(second.isEmpty)
            let recorded = try await db.transaction { conn in
                try conn.query("SELECT version, name, applied_at FROM schema_migrations ORDER BY version", []).map {
                    (try $0.int("version"), try $0.string("name"), try $0.timestamp("applied_at"))
                }
            }
            #expect(recorded.map(\.0) == first.map(Int64.init))
            #expect(recorded.allSatisfy { abs($0.2.timeIntervalSinceNow) < 300 })
            let tables = try await TestStores.tables(db)
            #expect(TestStores.expectedTables.subtracting(tables).isEmpty, "missing: \(TestStores.expectedTables.subtracting(tables))")
        }
    }

    static func concurrentMigratorsApplyOnce(_ dialect: SQLDialect) async throws {
        try await TestStores.with(dialect, migrate: false) { db in
            let results = try await withThrowingTaskGroup(of: [Int].self) { group in
                for _ in 0..<4 { group.addTask { try await Migrator.migrate(db) } }
                return try await group.reduce(into: [[Int]]()) { $0.append($1) }
            }
            #expect(results.flatMap { $0 }.sorted() == Migrator.migrations(for: dialect).map(\.version))
        }
    }

    static func roundTripsEveryValueKind(_ dialect: SQLDialect) async throws {
        try await TestStores.with(dialect) { db in
            let ddl = dialect == .sqlite
                ? "CREATE TABLE rt (id INTEGER PRIMARY KEY, i INTEGER, d REAL, t TEXT, b INTEGER, ts TEXT, dt TEXT, j TEXT, n TEXT)"
                : "CREATE TABLE rt (id INTEGER PRIMARY KEY, i BIGINT, d DOUBLE PRECISION, t TEXT, b BOOLEAN, ts TIMESTAMPTZ, dt DATE, j JSONB, n TEXT)"
            let instant = Date(timeIntervalSince1970: 1_795_310_400.123456)
            let text = "it's a \"test\" — ünïcødé 🎉 $1 ?1 \\ ''"
            let json = #"{"a": 1, "b": [true, null], "s": "x"}"#
            let rows: [[SQLValue]] = [
                [.int(1), .int(Int64.max), .double(0.1), .text(text), .bool(true), .timestamp(instant), .date("2026-11-22"), .json(json), .null],
                [.int(2), .int(Int64.min), .double(-1.5e300), .text(""), .bool(false), .timestamp(Date(timeIntervalSince1970: 0)), .date("1999-12-31"), .json("[]"), .null],
            ]
            try await db.transaction { conn in
                try conn.execute(ddl, [])
                for row in rows {
                    try conn.execute("INSERT INTO rt (id, i, d, t, b, ts, dt, j, n) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)", row)
                }
            }
            let read = try await db.transaction { conn in try conn.query("SELECT * FROM rt ORDER BY id", []) }
            try #require(read.count == 2)
            #expect(try read[0].int("i") == Int64.max)
            #expect(try read[1].int("i") == Int64.min)
            #expect(try read[0].double("d") == 0.1)
            #expect(try read[1].double("d") == -1.5e300)
            #expect(try read[0].string("t") == text)
            #expect(try read[1].string("t") == "")
            #expect(try read[0].bool("b") == true)
            #expect(try read[1].bool("b") == false)
            #expect(abs(try read[0].timestamp("ts").timeIntervalSince(instant)) < 0.000_001)
            #expect(try read[1].timestamp("ts") == Date(timeIntervalSince1970: 0))
            #expect(try read[0].string("dt") == "2026-11-22")
            #expect(try read[0].string("j") == json)
            #expect(try read[1].string("j") == "[]")
            #expect(try read[0].optionalString("n") == nil)
            #expect(try read[0].optionalInt("n") == nil)
            #expect(try read[0].optionalTimestamp("n") == nil)
            #expect(try read[0].optionalDouble("n") == nil)
            #expect(try read[0].isNull("n"))

            // Placeholders are numbered, not positional, and `$1` inside a literal is left alone.
            let ordered = try await db.transaction { conn in
                try conn.query("SELECT $2 AS second, $1 AS first, '$1' AS literal", [.text("one"), .text("two")])
            }
            #expect(try ordered[0].string("second") == "two")
            #expect(try ordered[0].string("first") == "one")
            #expect(try ordered[0].string("literal") == "$1")

            // The same parameter used twice, and timestamps compared in SQL.
            let later = try await db.transaction { conn in
                try conn.query("SELECT id FROM rt WHERE ts >= $1 AND ts <= $1 OR i = $2 ORDER BY id", [.timestamp(instant), .int(Int64.min)])
            }
            #expect(try later.map { try $0.int("id") } == [1, 2])
        }
    }

    static func rollsBackWhenTheBodyThrows(_ dialect: SQLDialect) async throws {
        try await TestStores.with(dialect) { db in
            try await db.transaction { try $0.execute("CREATE TABLE counters (k TEXT PRIMARY KEY, n INTEGER NOT NULL)", []) }
            await #expect(throws: Boom.self) {
                try await db.transaction { conn in
                    try conn.execute("INSERT INTO counters (k, n) VALUES ($1, $2)", [.text("a"), .int(1)])
                    throw Boom()
                }
            }
            // A failing statement also rolls back what came before it in the transaction.
            await #expect(throws: StoreError.self) {
                try await db.transaction { conn in
                    try conn.execute("INSERT INTO counters (k, n) VALUES ($1, $2)", [.text("b"), .int(1)])
                    try conn.execute("INSERT INTO counters (k, n) VALUES ($1, $2)", [.text("b"), .int(2)])
                }
            }
            let count = try await db.transaction { try $0.query("SELECT COUNT(*) AS c FROM counters", [])[0].int("c") }
            #expect(count == 0)
            // The store is usable afterwards.
            let affected = try await db.transaction { try $0.execute("INSERT INTO counters (k, n) VALUES ('c', 1)", []) }
            #expect(affected == 1)
        }
    }

    static func upsertsOnConflict(_ dialect: SQLDialect) async throws {
        try await TestStores.with(dialect) { db in
            let total = try await db.transaction { conn -> Int64 in
                try conn.execute("CREATE TABLE counters (k TEXT PRIMARY KEY, n INTEGER NOT NULL)", [])
                let upsert = "INSERT INTO counters (k, n) VALUES ($1, $2) ON CONFLICT (k) DO UPDATE SET n = counters.n + excluded.n"
                #expect(try conn.execute(upsert, [.text("a"), .int(1)]) == 1)
                #expect(try conn.execute(upsert, [.text("a"), .int(2)]) == 1)
                return try conn.query("SELECT n FROM counters WHERE k = $1", [.text("a")])[0].int("n")
            }
            #expect(total == 3)
            // The seed's daily quota upsert, on the real table.
            let calls = try await db.transaction { conn -> Int64 in
                for _ in 0..<3 {
                    try conn.execute("""
                        INSERT INTO gpt_usage (user_id, guild_id, usage_date, call_count) VALUES ($1, $2, $3, 1)
                        ON CONFLICT (user_id, guild_id, usage_date) DO UPDATE SET call_count = gpt_usage.call_count + 1
                        """, [.int(7), .int(9), .date("2026-11-22")])
                }
                return try conn.query("SELECT call_count FROM gpt_usage WHERE user_id = 7", [])[0].int("call_count")
            }
            #expect(calls == 3)
        }
    }

    static func constraintsAndIndexesHold(_ dialect: SQLDialect) async throws {
        try await TestStores.with(dialect) { db in
            let insertSub = "INSERT INTO premium_subs (user_id, guild_id, tier, status) VALUES ($1, $2, 'monthly', $3)"
            try await db.transaction { conn in
                try conn.execute(insertSub, [.int(1), .int(10), .text("active")])
                try conn.execute(insertSub, [.int(1), .int(11), .text("expired")])
            }
            // One active subscription per user (partial unique index).
            let second = await #expect(throws: StoreError.self) {
                try await db.transaction { try $0.execute(insertSub, [.int(1), .int(12), .text("active")]) }
            }
            #expect(second?.sqlState == "23505")
            // Idempotent logs per (guild, message), but any number of logs without a message.
            let insertLog = "INSERT INTO automod_logs (guild_id, user_id, message_id, action_taken, evidence) VALUES (1, 2, $1, 'delete', $2)"
            try await db.transaction { conn in
                try conn.execute(insertLog, [.int(100), .json("[]")])
                try conn.execute(insertLog, [.null, .json("[]")])
                try conn.execute(insertLog, [.null, .json("[]")])
            }
            let duplicate = await #expect(throws: StoreError.self) {
                try await db.transaction { try $0.execute(insertLog, [.int(100), .json("[]")]) }
            }
            #expect(duplicate?.isUniqueViolation == true)
            // Foreign keys are enforced (SQLite needs foreign_keys=ON per connection).
            let orphan = await #expect(throws: StoreError.self) {
                try await db.transaction { try $0.execute("INSERT INTO automod_appeals (log_id, guild_id, user_id) VALUES (999999, 1, 2)", []) }
            }
            #expect(orphan?.sqlState == "23503")
            // Status checks on the design's tables, and JSON validity in both dialects.
            let badStatus = await #expect(throws: StoreError.self) {
                try await db.transaction { try $0.execute("INSERT INTO jobs (kind, payload, status) VALUES ('x', '{}', 'weird')", []) }
            }
            #expect(badStatus?.sqlState == "23514")
            await #expect(throws: StoreError.self) {
                try await db.transaction { try $0.execute("INSERT INTO events (guild_id, kind, payload) VALUES (1, 'x', $1)", [.json("{not json")]) }
            }
        }
    }

    static func statementErrorsCarryContext(_ dialect: SQLDialect) async throws {
        try await TestStores.with(dialect) { db in
            let syntax = await #expect(throws: StoreError.self) {
                try await db.transaction { try $0.query("SELEC 1 FROM nowhere", []) }
            }
            guard case let .statement(sql, message, state)? = syntax else {
                Issue.record("expected a statement error, got \(String(describing: syntax))")
                return
            }
            #expect(sql.contains("SELEC 1"))
            #expect(!message.isEmpty)
            #expect(syntax?.description.contains("SELEC") == true)
            if dialect == .postgres { #expect(state == "42601") }

            let missing = await #expect(throws: StoreError.self) {
                try await db.transaction { try $0.query("SELECT * FROM no_such_table", []) }
            }
            #expect(missing?.description.contains("no_such_table") == true)
            if dialect == .postgres { #expect(missing?.sqlState == "42P01") }

            // Row accessors name the column on a mismatch.
            let row = try await db.transaction { try $0.query("SELECT 'abc' AS name, NULL AS missing_value", [])[0] }
            #expect(throws: StoreError.column("name", expected: "integer", got: "text 'abc'")) { try row.int("name") }
            #expect(throws: StoreError.column("missing_value", expected: "text", got: "NULL")) { try row.string("missing_value") }
            let unknown = #expect(throws: StoreError.self) { try row.string("absent") }
            #expect(unknown?.description.contains("absent") == true)
        }
    }

    static func concurrentTransactionsCountExactly(_ dialect: SQLDialect) async throws {
        try await TestStores.with(dialect, poolSize: 4) { db in
            try await db.transaction { try $0.execute("CREATE TABLE counters (k TEXT PRIMARY KEY, n INTEGER NOT NULL)", []) }
            let tasks = 200
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<tasks {
                    group.addTask {
                        _ = try await db.transaction { conn in
                            try conn.execute("INSERT INTO counters (k, n) VALUES ('c', 1) ON CONFLICT (k) DO UPDATE SET n = counters.n + 1", [])
                        }
                    }
                }
                try await group.waitForAll()
            }
            let n = try await db.transaction { try $0.query("SELECT n FROM counters WHERE k = 'c'", [])[0].int("n") }
            #expect(n == Int64(tasks))
        }
    }

    static func settingsWriteHistory(_ dialect: SQLDialect) async throws {
        try await TestStores.with(dialect) { db in
            let settings = SettingsRepository(database: db)
            #expect(try await settings.get(guild: 42, scope: "automod", key: "enabled") == nil)

            try await settings.set(guild: 42, scope: "automod", key: "enabled", valueJSON: "true", valueType: "bool", by: 7)
            try await settings.set(guild: 42, scope: "automod", key: "enabled", valueJSON: "false", valueType: "bool", by: 8)
            try await settings.set(guild: 42, scope: "automod", key: "limits", valueJSON: #"{"per_day": 5}"#, valueType: nil, by: nil)

            let current = try await settings.get(guild: 42, scope: "automod", key: "enabled")
            #expect(current?.value == "false")
            #expect(current?.valueType == "bool")

            let all = try await settings.all(guild: 42, scope: "automod")
            #expect(all.map(\.key) == ["enabled", "limits"])
            #expect(all.first?.updatedBy == 8)
            #expect(all.last?.valueJSON == #"{"per_day": 5}"#)
            #expect(all.allSatisfy { $0.updatedAt != nil })

            let history = try await settings.history(guild: 42, scope: "automod", key: "enabled", limit: 10)
            #expect(history.map(\.changeType) == ["updated", "created"])
            #expect(history.first?.oldValueJSON == "true")
            #expect(history.first?.newValueJSON == "false")
            #expect(history.first?.changedBy == 8)
            #expect(history.last?.oldValueJSON == nil)
            #expect(history.last?.newValueJSON == "true")
            #expect(try await settings.history(guild: 42, scope: "automod", key: "enabled", limit: 1).count == 1)

            // Composed into a caller's transaction: all or nothing.
            await #expect(throws: Boom.self) {
                try await db.transaction { conn in
                    try SettingsRepository.set(on: conn, guild: 42, scope: "automod", key: "enabled", valueJSON: "true", valueType: "bool", by: 9)
                    #expect(try SettingsRepository.get(on: conn, guild: 42, scope: "automod", key: "enabled")?.value == "true")
                    throw Boom()
                }
            }
            #expect(try await settings.get(guild: 42, scope: "automod", key: "enabled")?.value == "false")
            #expect(try await settings.history(guild: 42, scope: "automod", key: "enabled").count == 2)

            // Concurrent writers to one new key: exactly one "created", the rest "updated".
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<20 {
                    group.addTask {
                        try await settings.set(guild: 43, scope: "s", key: "k", valueJSON: "\(i)", valueType: "int", by: Int64(i))
                    }
                }
                try await group.waitForAll()
            }
            let raced = try await settings.history(guild: 43, scope: "s", key: "k", limit: 100)
            #expect(raced.count == 20)
            #expect(raced.filter { $0.changeType == "created" }.count == 1)
        }
    }

    static func closedStoreRefusesWork(_ dialect: SQLDialect) async throws {
        try await TestStores.with(dialect) { db in
            await db.close()
            await #expect(throws: StoreError.closed) {
                try await db.transaction { try $0.query("SELECT 1 AS one", []) }
            }
        }
    }

    /// Issue 11 F3: PostgreSQL cut a text at its NUL (libpq's C strings) and refused `\u0000` in JSONB,
    /// while SQLite kept both. Now both refuse the same values, before the driver, with the same typed
    /// error naming the parameter, and the transaction writes nothing.
    static func nulTextIsRefusedTheSameByBothDrivers(_ dialect: SQLDialect) async throws {
        try await TestStores.with(dialect) { db in
            let ddl = dialect == .sqlite ? "CREATE TABLE nul (id INTEGER PRIMARY KEY, t TEXT, j TEXT)"
                                         : "CREATE TABLE nul (id INTEGER PRIMARY KEY, t TEXT, j JSONB)"
            try await db.transaction { try $0.execute(ddl, []) }
            // Each row and the parameter ($N) that holds the NUL.
            let refused: [([SQLValue], Int)] = [
                ([.int(1), .text("a\u{0}b"), .json("{}")], 2),
                ([.int(2), .text("ok"), .json(#"{"a": "x\u0000y"}"#)], 3),
                ([.int(3), .text("ok"), .json("[\"\u{0}\"]")], 3),
                ([.int(4), .date("2026-11-\u{0}1"), .null], 2),
            ]
            for (row, expected) in refused {
                do {
                    try await db.transaction { conn in
                        try conn.execute("INSERT INTO nul (id, t) VALUES (100, 'written first')", [])
                        try conn.execute("INSERT INTO nul (id, t, j) VALUES ($1, $2, $3)", row)
                    }
                    Issue.record("row \(row) was stored")
                } catch let error as StoreError {
                    #expect(error == .unstorableText(parameter: expected, sql: "INSERT INTO nul (id, t, j) VALUES ($1, $2, $3)"), "\(error)")
                    #expect(error.httpStatus == 400 && error.code == "invalid_text" && error.retryAfter == nil)
                }
            }
            // Nothing of any refused transaction was written.
            #expect(try await db.transaction { try $0.queryFirst("SELECT COUNT(*) AS n FROM nul", [])?.int("n") } == 0)

            // What is storable stays exact: the escaped backslash before u0000 is no NUL, other controls are kept.
            let kept: [SQLValue] = [.int(5), .text("bell\u{7} tab\t"), .json(#"{"a": "\\u0000", "b": "\u0001"}"#)]
            try await db.transaction { try $0.execute("INSERT INTO nul (id, t, j) VALUES ($1, $2, $3)", kept) }
            let row = try await db.transaction { try $0.queryFirst("SELECT t, j FROM nul WHERE id = 5", []) }
            #expect(try row?.string("t") == "bell\u{7} tab\t")
            let json = try #require(try row?.string("j"))
            #expect(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String] == ["a": "\\u0000", "b": "\u{1}"])
        }
    }
}
