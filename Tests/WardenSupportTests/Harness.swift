import Foundation
import Synchronization
import Testing
import WardenApp
import WardenCore
import WardenLLM
import WardenLLMTestServer
import WardenPipeline
import WardenStore
import WardenTestSupport
@testable import WardenSupport

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let promptsPath = repositoryRoot.appendingPathComponent("prompts").path
let ticketFixtures = repositoryRoot.appendingPathComponent("fixtures/tickets/tickets.jsonl")
let screenshotFixtures = repositoryRoot.appendingPathComponent("fixtures/screenshots")

/// Both stores, for parameterised tests.
let allDialects: [SQLDialect] = [.sqlite, .postgres]

/// The screenshots' "now": their payment dates are relative to it.
let fixtureNow: Date = {
    var components = DateComponents(calendar: Calendar(identifier: .gregorian), timeZone: TimeZone(identifier: "UTC"),
                                    year: 2026, month: 11, day: 20, hour: 12)
    components.minute = 0
    return components.date ?? Date(timeIntervalSince1970: 1_795_176_000)
}()

/// A clock tests can move.
final class TestClock: Sendable {
    private let now: Mutex<Date>
    init(_ start: Date = fixtureNow) { now = Mutex(start) }
    func advance(_ seconds: TimeInterval) { now.withLock { $0 = $0.addingTimeInterval(seconds) } }
    var date: Date { now.withLock { $0 } }
    var function: @Sendable () -> Date { { [self] in self.date } }
}

/// Runs `body` against a fresh, migrated store (PostgreSQL is skipped only with WARDEN_SKIP_POSTGRES=1 and no URL).
func withStore(_ dialect: SQLDialect, _ body: (any Database) async throws -> Void) async throws {
    if dialect == .postgres, TestStores.skipPostgres, (try? TestStores.postgresURL()) == nil { return }
    try await TestStores.with(dialect, body)
}

/// One fixture ticket.
struct FixtureTicket: Decodable {
    struct Message: Decodable { var author: String; var content: String }
    var id: Int
    var guild_id: String
    var user_id: String
    var username: String?
    var topic: String
    var messages: [Message]

    static func load() throws -> [FixtureTicket] {
        let text = try String(contentsOf: ticketFixtures, encoding: .utf8)
        return try text.split(separator: "\n").filter { !$0.isEmpty }.map {
            try JSONDecoder().decode(FixtureTicket.self, from: Data($0.utf8))
        }
    }
}

let staffID: Int64 = 1_300_000_000_000_000_001

/// Everything the support desk needs, on one store and the test LLM server.
struct Desk {
    let db: any Database
    let server: FakeLLMServer
    let clock: TestClock
    let tickets: TicketDesk
    let faq: FAQDesk
    let verifications: VerificationDesk
    let worker: JobRunner
    let clusters: ClusterBook

    init(_ db: any Database, server: FakeLLMServer, clock: TestClock = TestClock(), maxAttempts: Int = 1,
         worker configuration: JobRunner.Configuration = Desk.fastWorker) throws {
        self.db = db; self.server = server; self.clock = clock
        var config = LLMConfiguration(baseURL: server.baseURL, defaultModel: "fake-support", callDeadline: .seconds(20))
        config.retry = RetryPolicy(maxAttempts: maxAttempts, baseDelay: .milliseconds(10))
        // The breaker is the LLM tests' subject; here scripted outages must reach the jobs, not open it.
        config.breaker = CircuitBreaker.Configuration(minimumCalls: 10_000)
        var appConfiguration = WardenApp.Configuration(llm: config)
        appConfiguration.prompts = promptsPath
        appConfiguration.jobs = configuration
        appConfiguration.clock = clock.function
        let app = try WardenApp(database: db, configuration: appConfiguration)
        clusters = app.clusters
        tickets = app.tickets
        faq = app.faq
        verifications = app.verifications
        worker = try #require(app.jobRunner(only: app.supportJobKinds))
    }

    static var fastWorker: JobRunner.Configuration {
        var c = JobRunner.Configuration()
        c.concurrency = 8
        c.baseBackoff = 30
        c.maxAttempts = 4
        return c
    }

    /// Opens, talks through and closes every fixture ticket of `guild` (each fixture's own guild when nil).
    @discardableResult
    func importAndClose(_ fixtures: [FixtureTicket], guild: Int64? = nil) async throws -> [Int64: String] {
        var topics: [Int64: String] = [:]
        for fixture in fixtures {
            let user = Int64(fixture.user_id) ?? 1
            let guildID = guild ?? Int64(fixture.guild_id) ?? 1
            guard let first = fixture.messages.first else { continue }
            let id = try await tickets.open(guild: guildID, user: user, username: fixture.username, description: first.content)
            for message in fixture.messages.dropFirst() {
                try await tickets.addMessage(ticket: id, guild: guildID, author: message.author == "staff" ? staffID : user, content: message.content)
            }
            try await tickets.apply(.claim(by: Snowflake(UInt64(staffID))), to: id, guild: guildID)
            try await tickets.apply(.close, to: id, guild: guildID)
            topics[id] = fixture.topic
        }
        return topics
    }

    func count(_ sql: String, _ binds: [SQLValue] = []) async throws -> Int {
        try await db.transaction { conn in Int(try conn.queryFirst(sql, binds)?.int("n") ?? 0) }
    }
}

/// Starts the test server with the recorded support answers (fixture summaries and screenshots).
func startSupportServer() async throws -> FakeLLMServer {
    let server = try await FakeLLMServer.start()
    let summaries = try SupportModel.recordedSummaries(fromJSONL: ticketFixtures)
    let vision = try VisionModel.answers(fromManifest: screenshotFixtures.appendingPathComponent("manifest.json"))
    server.setFallback(SupportModel.responder(summaries: summaries, vision: vision))
    return server
}
