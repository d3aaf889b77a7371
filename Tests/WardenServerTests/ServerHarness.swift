import WardenApp
import Foundation
import Synchronization
import Hummingbird
import HummingbirdTesting
import Testing
import WardenCore
import WardenLLM
import WardenPipeline
import WardenServer
import WardenStore
import WardenTestSupport

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let defaultPackPath = repositoryRoot.appendingPathComponent("rules").path
let fixturesPath = repositoryRoot.appendingPathComponent("fixtures").path
let allDialects: [SQLDialect] = [.sqlite, .postgres]

/// Two guilds, so isolation can be tried.
let guildA: UInt64 = 1_100_000_000_000_000_001
let guildB: UInt64 = 1_100_000_000_000_000_002

/// A running service on loopback (real HTTP through Hummingbird's live test client), its store, and one
/// token per role: unscoped ones and ones scoped to guild A and to guild B.
struct Harness: Sendable {
    let service: WardenService
    let database: any Database
    /// The store's URL, for a `warden` child process to open the same store.
    let url: String
    let client: any TestClientProtocol
    /// The service's loopback port.
    var port: Int { client.port ?? 0 }
    /// `tokens[role]` reaches every guild; `scoped[guild]![role]` only that guild.
    let tokens: [Role: String]
    let scoped: [UInt64: [Role: String]]

    /// Sends a request with `token` (nil: no Authorization header) and returns status and body.
    @discardableResult
    func call(_ method: HTTPRequest.Method, _ path: String, token: String?, json: String? = nil, body: [UInt8]? = nil,
              contentType: String? = nil, headers extra: HTTPFields = [:]) async throws -> Reply {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        var buffer: ByteBuffer?
        if let json {
            headers[.contentType] = "application/json"
            buffer = ByteBuffer(string: json)
        } else if let body {
            if let contentType { headers[.contentType] = contentType }
            buffer = ByteBuffer(bytes: body)
        }
        // A connection per call: some answers close theirs (a body refused unread, a framing error), and the
        // test framework's client has only one.
        let request = TestClient.Request(path, method: method, authority: "localhost", headers: headers, body: buffer)
        let response = try await TestClient.withClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(20))) { connection in
            try await connection.execute(request)
        }
        return Reply(status: Int(response.status.code), text: response.body.map { String(buffer: $0) } ?? "", headers: response.headers)
    }
}

struct Reply: Sendable {
    let status: Int
    let text: String
    let headers: HTTPFields

    /// The body as a JSON object (empty when it is not one).
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }
    var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
}

/// Runs `body` against a fresh store of `dialect` and a service listening on a free loopback port.
/// With `llm`, the app calls that provider (the test LLM server) with the repository's prompts.
func withServer(_ dialect: SQLDialect, clock: @escaping @Sendable () -> Date = { Date() },
                connections: ConnectionLimits = ConnectionLimits(), llm: LLMConfiguration? = nil,
                _ body: @Sendable (Harness) async throws -> Void) async throws {
    if dialect == .postgres, TestStores.skipPostgres, (try? TestStores.postgresURL()) == nil { return }
    try await TestStores.withURL(dialect) { url, database in
        let (pack, issues) = try RulePackDirectory.load(defaultPackPath)
        #expect(issues.isEmpty)
        var appConfiguration = WardenApp.Configuration(defaultPack: pack, llm: llm)
        appConfiguration.prompts = repositoryRoot.appendingPathComponent("prompts").path
        appConfiguration.clock = clock
        let wardenApp = try WardenApp(database: database, configuration: appConfiguration)
        var configuration = WardenService.Configuration()
        configuration.port = 0
        configuration.lanes = dialect == .postgres ? 2 : 1
        configuration.host = "127.0.0.1"
        configuration.connections = connections
        let service = try WardenService(app: wardenApp, configuration: configuration)
        var tokens: [Role: String] = [:]
        var scoped: [UInt64: [Role: String]] = [:]
        for role in Role.allCases {
            tokens[role] = try await service.tokens.create(role: role, guild: nil, label: "test").token
            for guild in [guildA, guildB] {
                scoped[guild, default: [:]][role] = try await service.tokens.create(role: role, guild: Int64(bitPattern: guild), label: "test").token
            }
        }
        // The service's own HTTP server (parser-error answers, timeouts, connection bound), as `warden serve` runs it.
        let app = Application(router: service.router(), server: service.httpServer(), configuration: service.applicationConfiguration)
        let frozenTokens = tokens, frozenScoped = scoped
        try await app.test(.live) { client in
            try await body(Harness(service: service, database: database, url: url, client: client, tokens: frozenTokens, scoped: frozenScoped))
        }
    }
}

private let counter = Mutex64()

/// A Discord message JSON with a fresh id.
func messageJSON(_ content: String, guild: UInt64 = guildA, user: UInt64 = 42, channel: UInt64 = 7) -> (id: UInt64, json: String) {
    let id = counter.next()
    let text = String(decoding: (try? JSONEncoder().encode(content)) ?? Data(), as: UTF8.self)
    return (id, #"{"id":"\#(id)","guild_id":"\#(guild)","channel_id":"\#(channel)","author":{"id":"\#(user)","username":"u\#(user)"},"content":\#(text),"timestamp":"2026-11-30T10:00:00.000000+00:00"}"#)
}

/// Message ids unique within the test process.
final class Mutex64: Sendable {
    private let value = Synchronization.Mutex<UInt64>(1_400_000_000_000_000_000)
    func next() -> UInt64 { value.withLock { $0 += 1; return $0 } }
}

func count(_ db: any Database, _ sql: String, _ binds: [SQLValue] = []) async throws -> Int64 {
    try await db.transaction { conn in try conn.queryFirst(sql, binds)?.int("n") ?? -1 }
}

/// The console's pages and the appeal form: HTML behind cookie sessions, not API routes (the OpenAPI document,
/// the route tour and the API's isolation test leave them to ConsoleTests).
enum ConsolePaths {
    static func isPage(_ path: String) -> Bool {
        let trimmed = path.hasPrefix("/") ? String(path.dropFirst()) : path
        return trimmed.hasPrefix("console") || trimmed.hasPrefix("appeal/") || trimmed == "appeal"
    }
}
