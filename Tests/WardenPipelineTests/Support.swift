import Foundation
import Testing
import WardenApp
import Synchronization
import WardenStore
import WardenTestSupport
@testable import WardenPipeline
import WardenCore

/// The repository root, for the default pack and fixtures.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let defaultPackPath = repositoryRoot.appendingPathComponent("rules").path
let fixturesPath = repositoryRoot.appendingPathComponent("fixtures").path

/// Both stores, for parameterised tests.
let allDialects: [SQLDialect] = [.sqlite, .postgres]

/// Runs `body` against a fresh, migrated store of `dialect` (see `TestStores`). Returns false, running
/// nothing, only when PostgreSQL is skipped explicitly with WARDEN_SKIP_POSTGRES=1 and no server is given.
@discardableResult
func withStore(_ dialect: SQLDialect, _ body: (any Database) async throws -> Void) async throws -> Bool {
    if dialect == .postgres, TestStores.skipPostgres, (try? TestStores.postgresURL()) == nil { return false }
    try await TestStores.with(dialect, body)
    return true
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

/// The pipeline as the app builds it, without an LLM provider.
func makePipeline(_ db: any Database, pack: [PackRule], clock: TestClock = TestClock()) throws -> MessagePipeline {
    var configuration = WardenApp.Configuration(defaultPack: pack)
    configuration.clock = clock.function
    return try WardenApp(database: db, configuration: configuration).pipeline
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
