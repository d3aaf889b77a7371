import Foundation
import Testing
import Synchronization
@testable import WardenStore
@testable import WardenPipeline
import WardenCore

/// The repository root, for the default pack and fixtures.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let defaultPackPath = repositoryRoot.appendingPathComponent("rules").path
let fixturesPath = repositoryRoot.appendingPathComponent("fixtures").path

/// Both stores, for parameterised tests.
let allDialects: [SQLDialect] = [.sqlite, .postgres]

struct PostgresNotConfigured: Error, CustomStringConvertible {
    var description: String {
        "WARDEN_TEST_POSTGRES_URL is not set: run through scripts/with-postgres.sh, or set WARDEN_SKIP_POSTGRES=1 to skip PostgreSQL explicitly"
    }
}

/// A fresh, migrated store per test: a SQLite file in a temporary folder, or a PostgreSQL schema of its own.
/// Returns false (after recording nothing) only when PostgreSQL is skipped explicitly.
@discardableResult
func withStore(_ dialect: SQLDialect, _ body: (any Database) async throws -> Void) async throws -> Bool {
    switch dialect {
    case .sqlite:
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("warden-pipeline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = try await DatabaseOpener.open(url: "sqlite:" + directory.appendingPathComponent("warden.sqlite").path)
        do { try await body(db) } catch { await db.close(); throw error }
        await db.close()
        return true
    case .postgres:
        let env = ProcessInfo.processInfo.environment
        guard let base = env["WARDEN_TEST_POSTGRES_URL"], !base.isEmpty else {
            if env["WARDEN_SKIP_POSTGRES"] == "1" { return false }
            throw PostgresNotConfigured()
        }
        let schema = "p_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        let admin = try await DatabaseOpener.connect(url: base, poolSize: 1)
        try await admin.transaction { try $0.execute("CREATE SCHEMA \(schema)", []) }
        defer { Task { try? await admin.transaction { try $0.execute("DROP SCHEMA \(schema) CASCADE", []) }; await admin.close() } }
        let db = try await DatabaseOpener.open(url: base + (base.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)", poolSize: 4)
        do { try await body(db) } catch { await db.close(); throw error }
        await db.close()
        return true
    }
}

/// A clock tests can move.
final class TestClock: Sendable {
    private let now: Mutex<Date>
    init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) { now = Mutex(start) }
    func advance(_ seconds: TimeInterval) { now.withLock { $0 = $0.addingTimeInterval(seconds) } }
    var date: Date { now.withLock { $0 } }
    var function: @Sendable () -> Date { { [self] in self.date } }
}

func loadDefaultPack() throws -> [PackRule] {
    let (rules, issues) = try RulePackDirectory.load(defaultPackPath)
    #expect(issues.isEmpty, "default pack has problems: \(issues)")
    return rules
}

func makePipeline(_ db: any Database, pack: [PackRule], clock: TestClock = TestClock()) -> MessagePipeline {
    MessagePipeline(database: db, guilds: GuildDirectory(database: db, defaultPack: pack), clock: clock.function)
}

private let messageCounter = Atomic<UInt64>(1_300_000_000_000_000_000)

/// A message with a fresh id.
func message(_ content: String, guild: UInt64 = 1_100_000_000_000_000_001, user: UInt64 = 42, channel: UInt64 = 7,
             at time: Date = Date(timeIntervalSince1970: 1_800_000_000), roles: [UInt64] = []) -> DiscordMessage {
    let id = messageCounter.add(1, ordering: .relaxed).newValue
    return DiscordMessage(id: Snowflake(id), guildID: Snowflake(guild), channelID: Snowflake(channel),
                          author: .init(id: Snowflake(user), username: "user\(user)"), member: .init(roles: roles.map(Snowflake.init)),
                          content: content, timestamp: time)
}

func count(_ db: any Database, _ sql: String) async throws -> Int64 {
    try await db.transaction { conn in try conn.queryFirst(sql)?.int("n") ?? -1 }
}
